{#-
    One row per stage change of a lead up to the run's as-of, regressions and
    recycles included: each entry into a canonical stage, with the stage it left
    (null for the lead's first entry). An entry into `mql` that opens a handoff
    (the first, or the first after a recycle) carries its handoff number.
-#}
with

stage_events as (

    select * from {{ ref('int_lead_stage_events') }}

    where entered_at <= {{ as_of_timestamp() }}

),

handoffs as (

    select * from {{ ref('int_handoffs') }}

    where handoff_at <= {{ as_of_timestamp() }}

),

transitions as (

    select
        stage_event_id,
        lead_id,
        lag(stage) over (
            partition by lead_id
            order by event_number
        ) as from_stage,
        stage as to_stage,
        entered_at as transitioned_at,
        event_number as transition_number,
        source_system,
        source_detail,
        is_time_estimated

    from stage_events

),

-- funnel order of the stages; exits (disqualified, recycled) are off the ladder
ranked as (

    select
        *,
        case from_stage
            when 'lead' then 1 when 'mql' then 2 when 'sql' then 3
            when 'opportunity' then 4 when 'customer' then 5
        end as from_stage_rank,
        case to_stage
            when 'lead' then 1 when 'mql' then 2 when 'sql' then 3
            when 'opportunity' then 4 when 'customer' then 5
        end as to_stage_rank

    from transitions

),

final as (

    select
        cast(ranked.stage_event_id as {{ dbt.type_string() }}) as transition_id,
        cast(ranked.lead_id as {{ dbt.type_string() }}) as lead_id,
        cast(ranked.from_stage as {{ dbt.type_string() }}) as from_stage,
        cast(ranked.to_stage as {{ dbt.type_string() }}) as to_stage,
        cast(ranked.transitioned_at as {{ dbt.type_timestamp() }}) as transitioned_at,
        cast(ranked.transition_number as integer) as transition_number,
        coalesce(ranked.to_stage_rank < ranked.from_stage_rank, false) as is_regression,
        ranked.to_stage in ('disqualified', 'recycled') as is_exit,
        cast(handoffs.handoff_number as integer) as handoff_number,
        cast(ranked.source_system as {{ dbt.type_string() }}) as source_system,
        cast(ranked.source_detail as {{ dbt.type_string() }}) as source_detail,
        cast(ranked.is_time_estimated as boolean) as is_time_estimated

    from ranked

    left join handoffs
        on
            ranked.lead_id = handoffs.lead_id
            and ranked.transitioned_at = handoffs.handoff_at
            and ranked.to_stage = 'mql'

)

select * from final
