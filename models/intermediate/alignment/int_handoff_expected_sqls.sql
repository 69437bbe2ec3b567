{#-
    One row per handoff with its expected SQLs (README "Is the round robin fair"):
    the MQL→SQL rate of the handoffs of the same channel × fit tier in the 90 days
    before it (an SQL counts when it came within the conversion window, as known
    at the run's as-of); with none of those, the rate of all handoffs of those 90
    days; with none at all, 0.
-#}
{%- set lookback_days = 90 %}
with

handoffs as (

    select * from {{ ref('fct_handoffs') }}

),

previous_handoffs as (

    select
        handoffs.handoff_id,
        coalesce(handoffs.channel, '') = coalesce(previous.channel, '')
        and coalesce(handoffs.fit_tier, '') = coalesce(previous.fit_tier, '') as is_same_cell,
        case when previous.is_sql_in_window then 1 else 0 end as is_sql

    from handoffs

    inner join handoffs as previous
        on
            handoffs.handoff_at > previous.handoff_at
            and {{ dbt.dateadd('day', -lookback_days, 'handoffs.handoff_at') }} <= previous.handoff_at

),

rates as (

    select
        handoff_id,
        sum(case when is_same_cell then 1 else 0 end) as cell_handoffs,
        sum(case when is_same_cell then is_sql else 0 end) as cell_sqls,
        count(*) as all_handoffs,
        sum(is_sql) as all_sqls

    from previous_handoffs

    group by handoff_id

),

final as (

    select
        handoffs.handoff_id,
        handoffs.lead_id,
        handoffs.handoff_at,
        handoffs.team,
        handoffs.owner_id,
        handoffs.channel,
        handoffs.fit_tier,
        coalesce(rates.cell_handoffs, 0) as previous_cell_handoffs,
        cast(
            case
                when rates.cell_handoffs > 0
                    then cast(rates.cell_sqls as {{ type_double() }}) / rates.cell_handoffs
                when rates.all_handoffs > 0
                    then cast(rates.all_sqls as {{ type_double() }}) / rates.all_handoffs
                else 0
            end as {{ type_double() }}
        ) as expected_sqls

    from handoffs

    left join rates
        on handoffs.handoff_id = rates.handoff_id

)

select * from final
