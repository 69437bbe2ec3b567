{#-
    One row per lead (created up to the run's as-of): when it first entered each
    stage, its current stage, how many handoffs it had and how long the funnel
    took, with channel and fit. Stage entries after the as-of are not known yet.
-#}
with

leads as (

    select * from {{ ref('dim_leads') }}

),

stage_events as (

    select * from {{ ref('int_lead_stage_events') }}

    where entered_at <= {{ as_of_timestamp() }}

),

handoffs as (

    select * from {{ ref('int_handoffs') }}

    where handoff_at <= {{ as_of_timestamp() }}

),

first_entries as (

    select
        lead_id,
        min(case when stage = 'mql' then entered_at end) as mql_at,
        min(case when stage = 'sql' then entered_at end) as sql_at,
        min(case when stage = 'opportunity' then entered_at end) as opportunity_at,
        min(case when stage = 'customer' then entered_at end) as customer_at,
        min(case when stage = 'disqualified' then entered_at end) as disqualified_at,
        min(case when stage = 'recycled' then entered_at end) as recycled_at

    from stage_events

    group by lead_id

),

handoff_counts as (

    select
        lead_id,
        count(*) as handoffs

    from handoffs

    group by lead_id

),

final as (

    select
        leads.lead_id,
        leads.crm,
        leads.created_at,
        cast(first_entries.mql_at as {{ dbt.type_timestamp() }}) as mql_at,
        cast(first_entries.sql_at as {{ dbt.type_timestamp() }}) as sql_at,
        cast(first_entries.opportunity_at as {{ dbt.type_timestamp() }}) as opportunity_at,
        cast(first_entries.customer_at as {{ dbt.type_timestamp() }}) as customer_at,
        cast(first_entries.disqualified_at as {{ dbt.type_timestamp() }}) as disqualified_at,
        cast(first_entries.recycled_at as {{ dbt.type_timestamp() }}) as recycled_at,
        leads.current_stage,
        cast(coalesce(handoff_counts.handoffs, 0) as bigint) as handoffs,
        cast(
            {{ dbt.datediff('leads.created_at', 'first_entries.mql_at', 'second') }} / 86400.0  -- noqa: LT05
            as {{ type_double() }}
        ) as days_created_to_mql,
        cast(
            case
                when first_entries.sql_at >= first_entries.mql_at
                    then {{ dbt.datediff('first_entries.mql_at', 'first_entries.sql_at', 'second') }} / 86400.0  -- noqa: LT05
            end as {{ type_double() }}
        ) as days_mql_to_sql,
        leads.channel,
        leads.is_inbound,
        leads.fit_tier,
        leads.is_good_fit

    from leads

    left join first_entries
        on leads.lead_id = first_entries.lead_id

    left join handoff_counts
        on leads.lead_id = handoff_counts.lead_id

)

select * from final
