{#-
    What each owner must act on now (docs/definitions.md, "Breaches"; the Wednesday
    deadline check): one row per open handoff (no disposition yet as of the run's as-of)
    and missing event — the first touch, the disposition — whose deadline has passed or
    falls within the next 24 hours. A handoff already dispositioned is closed: a first
    touch it never had is history (fct_handoffs), not a to-do.
-#}
{%- set horizon_hours = 24 -%}

with

handoffs as (

    select * from {{ ref('fct_handoffs') }}

    where is_open

),

owners as (

    select * from {{ ref('dim_owners') }}

),

missing_events as (

    select
        handoff_id,
        lead_id,
        owner_id,
        team,
        handoff_at,
        'first_touch' as breach_type,
        first_touch_deadline_at as deadline_at,
        as_of_at

    from handoffs

    where first_touch_at is null

    union all

    select
        handoff_id,
        lead_id,
        owner_id,
        team,
        handoff_at,
        'disposition' as breach_type,
        disposition_deadline_at as deadline_at,
        as_of_at

    from handoffs

),

due as (

    select *

    from missing_events

    where deadline_at < {{ dbt.dateadd('hour', horizon_hours, 'as_of_at') }}

),

final as (

    select
        cast(due.handoff_id as {{ dbt.type_string() }}) as handoff_id,
        cast(due.breach_type as {{ dbt.type_string() }}) as breach_type,
        cast(due.lead_id as {{ dbt.type_string() }}) as lead_id,
        cast(due.owner_id as {{ dbt.type_string() }}) as owner_id,
        cast(owners.owner_name as {{ dbt.type_string() }}) as owner_name,
        cast(due.team as {{ dbt.type_string() }}) as team,
        cast(due.handoff_at as {{ dbt.type_timestamp() }}) as handoff_at,
        cast(due.deadline_at as {{ dbt.type_timestamp() }}) as deadline_at,
        due.deadline_at < due.as_of_at as is_overdue,
        cast(
            floor({{ dbt.datediff('due.deadline_at', 'due.as_of_at', 'second') }} / 60.0) as bigint  -- noqa: LT05
        ) as minutes_overdue,
        cast(due.as_of_at as {{ dbt.type_timestamp() }}) as as_of_at

    from due

    left join owners
        on due.owner_id = owners.owner_id

)

select * from final
