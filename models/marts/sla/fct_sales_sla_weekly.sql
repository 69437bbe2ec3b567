{#-
    Sales' side of the SLA (docs/definitions.md, "The sales SLA") per ISO week of
    the handoff (Monday start, UTC), team and owner: handoffs received, how many were
    first-touched and dispositioned inside their deadlines, the breaches (as of the
    run's as-of) and the median business minutes to first touch; first-touch breaches
    split by cause (routing or rep, README "Who lost the time"). Only weeks in which the
    owner received handoffs have a row; handoffs without an owner count under a null
    owner_id in their team (`default`).
-#}
with

handoffs as (

    select * from {{ ref('fct_handoffs') }}

),

weekly as (

    select
        handoff_week_start_date as week_start_date,
        team,
        owner_id,
        count(*) as handoffs,
        sum(case when is_first_touched_in_sla then 1 else 0 end) as first_touched_in_sla,
        sum(case when is_dispositioned_in_sla then 1 else 0 end) as dispositioned_in_sla,
        sum(case when is_first_touch_breached then 1 else 0 end) as first_touch_breaches,
        sum(case when is_disposition_breached then 1 else 0 end) as disposition_breaches,
        sum(case when breach_cause = 'routing' then 1 else 0 end) as routing_breaches,
        sum(case when breach_cause = 'rep' then 1 else 0 end) as rep_breaches,
        sum(case when first_touch_at is null then 1 else 0 end) as never_touched,
        sum(case when is_open then 1 else 0 end) as open_handoffs,
        {{ median('business_minutes_to_first_touch') }} as median_business_minutes_to_first_touch

    from handoffs

    group by
        handoff_week_start_date,
        team,
        owner_id

),

final as (

    select
        cast(week_start_date as date) as week_start_date,
        cast(team as {{ dbt.type_string() }}) as team,
        cast(owner_id as {{ dbt.type_string() }}) as owner_id,
        cast(handoffs as bigint) as handoffs,
        cast(first_touched_in_sla as bigint) as first_touched_in_sla,
        cast(dispositioned_in_sla as bigint) as dispositioned_in_sla,
        cast(first_touch_breaches as bigint) as first_touch_breaches,
        cast(disposition_breaches as bigint) as disposition_breaches,
        cast(routing_breaches as bigint) as routing_breaches,
        cast(rep_breaches as bigint) as rep_breaches,
        cast(never_touched as bigint) as never_touched,
        cast(open_handoffs as bigint) as open_handoffs,
        cast(median_business_minutes_to_first_touch as {{ type_double() }})
            as median_business_minutes_to_first_touch,
        cast(cast(first_touched_in_sla as {{ type_double() }}) / handoffs as {{ type_double() }})
            as first_touch_sla_rate,
        cast(cast(dispositioned_in_sla as {{ type_double() }}) / handoffs as {{ type_double() }})
            as disposition_sla_rate,
        {{ wilson_interval('first_touched_in_sla', 'handoffs', 'low') }} as first_touch_sla_rate_ci_low,
        {{ wilson_interval('first_touched_in_sla', 'handoffs', 'high') }} as first_touch_sla_rate_ci_high,
        {{ wilson_interval('dispositioned_in_sla', 'handoffs', 'low') }} as disposition_sla_rate_ci_low,
        {{ wilson_interval('dispositioned_in_sla', 'handoffs', 'high') }} as disposition_sla_rate_ci_high

    from weekly

)

select * from final
