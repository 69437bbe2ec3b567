{#-
    Marketing's side of the SLA (docs/definitions.md, "The marketing SLA") per ISO week
    (Monday start, UTC) and segment: MQLs delivered (handoffs) against the weekly
    target, their good-fit share against the minimum, attainment and whether the week
    was met. Every week from the first handoff's to the as-of's is present, weeks
    without deliveries included (int_handoff_weeks); the policy is the sla_policy row
    in force at the week's start (int_sla_policy_periods). Only weeks wholly inside the
    data (from its earliest record to the as-of) are complete, and only complete weeks
    are judged (README, "Business time").
-#}
with

handoffs as (

    select * from {{ ref('fct_handoffs') }}

),

sla_policy_periods as (

    select * from {{ ref('int_sla_policy_periods') }}

),

weeks as (

    select * from {{ ref('int_handoff_weeks') }}

),

leads as (

    select * from {{ ref('dim_leads') }}

),

-- the data begins with its earliest record: a week that starts before it (the
-- partial first week) is shown but not judged
data_span as (

    select min(created_at) as data_started_at

    from leads

),

week_bounds as (

    select
        max(handoffs.as_of_at) as as_of_at,
        min(data_span.data_started_at) as data_started_at

    from handoffs

    cross join data_span

),

segments as (

    select distinct segment

    from handoffs

),

week_segments as (

    select
        weeks.week_start_date,
        segments.segment

    from weeks

    cross join segments

),

deliveries as (

    select
        handoff_week_start_date as week_start_date,
        segment,
        count(*) as delivered_mqls,
        sum(case when is_good_fit then 1 else 0 end) as good_fit_mqls

    from handoffs

    group by
        handoff_week_start_date,
        segment

),

-- the policy in force at the week's start (int_sla_policy_periods)
policies as (

    select
        week_segments.week_start_date,
        week_segments.segment,
        sla_policy_periods.policy_id,
        sla_policy_periods.marketing_weekly_mql_target,
        sla_policy_periods.marketing_min_good_fit_share

    from week_segments

    inner join sla_policy_periods
        on
            week_segments.segment = sla_policy_periods.segment
            and week_segments.week_start_date >= sla_policy_periods.valid_from_date
            and (
                sla_policy_periods.valid_until_date is null
                or week_segments.week_start_date < sla_policy_periods.valid_until_date
            )

),

weekly as (

    select
        week_segments.week_start_date,
        week_segments.segment,
        policies.policy_id,
        cast(policies.marketing_weekly_mql_target as bigint) as target_mqls,
        cast(coalesce(deliveries.delivered_mqls, 0) as bigint) as delivered_mqls,
        cast(coalesce(deliveries.good_fit_mqls, 0) as bigint) as good_fit_mqls,
        cast(policies.marketing_min_good_fit_share as {{ type_double() }}) as min_good_fit_share

    from week_segments

    left join deliveries
        on
            week_segments.week_start_date = deliveries.week_start_date
            and week_segments.segment = deliveries.segment

    left join policies
        on
            week_segments.week_start_date = policies.week_start_date
            and week_segments.segment = policies.segment

),

final as (

    select
        cast(week_start_date as date) as week_start_date,
        cast(segment as {{ dbt.type_string() }}) as segment,
        target_mqls,
        delivered_mqls,
        good_fit_mqls,
        cast(
            case
                when delivered_mqls > 0
                    then cast(good_fit_mqls as {{ type_double() }}) / delivered_mqls
            end as {{ type_double() }}
        ) as good_fit_share,
        {{ wilson_interval('good_fit_mqls', 'delivered_mqls', 'low') }} as good_fit_share_ci_low,
        {{ wilson_interval('good_fit_mqls', 'delivered_mqls', 'high') }} as good_fit_share_ci_high,
        min_good_fit_share,
        cast(
            case
                when target_mqls > 0
                    then cast(delivered_mqls as {{ type_double() }}) / target_mqls
            end as {{ type_double() }}
        ) as attainment,
        coalesce(
            delivered_mqls >= target_mqls
            and (
                case
                    when delivered_mqls > 0
                        then cast(good_fit_mqls as {{ type_double() }}) / delivered_mqls
                    else 0
                end
            ) >= min_good_fit_share,
            false
        ) as is_met,
        coalesce(
            {{ dbt.dateadd('day', 7, 'weekly.week_start_date') }} <= week_bounds.as_of_at
            and weekly.week_start_date >= cast(week_bounds.data_started_at as date),
            false
        ) as is_week_complete,
        cast(policy_id as {{ dbt.type_string() }}) as policy_id

    from weekly

    cross join week_bounds

)

select * from final
