{#-
    One row per handoff with its expected SQLs (README "Is the round robin fair"):
    the MQL→SQL rate of the handoffs of the same channel × fit tier in the 90 days
    before it (an SQL counts when it came within the conversion window, as known
    at the run's as-of); with none of those, the rate of all handoffs of those 90
    days; with none at all, 0.
-#}
{%- set lookback_days = 90 %}
{%- set lookback_seconds = lookback_days * 86400 %}
with

handoffs as (

    select * from {{ ref('fct_handoffs') }}

),

-- Each handoff counts the handoffs strictly before it and at most 90 days before:
-- a window over the 90 days up to and including its instant, less the handoffs at
-- that very instant (itself and its ties). Windows, not a self-join on the date
-- range, which at a million leads pairs every handoff with a quarter's worth.
timed as (

    select
        handoff_id,
        coalesce(channel, '') as channel_key,
        coalesce(fit_tier, '') as fit_tier_key,
        case when is_sql_in_window then 1 else 0 end as is_sql,
        cast({{ dbt.datediff(
            "cast('1970-01-01 00:00:00' as " ~ dbt.type_timestamp() ~ ")",
            'handoff_at',
            'second'
        ) }} as {{ dbt.type_bigint() }}) as handoff_second

    from handoffs

),

rates as (

    select
        handoff_id,
        count(*) over cell_window
        - count(*) over (partition by channel_key, fit_tier_key, handoff_second) as cell_handoffs,
        sum(is_sql) over cell_window
        - sum(is_sql) over (partition by channel_key, fit_tier_key, handoff_second) as cell_sqls,
        count(*) over all_window
        - count(*) over (partition by handoff_second) as all_handoffs,
        sum(is_sql) over all_window
        - sum(is_sql) over (partition by handoff_second) as all_sqls

    from timed

    window
        cell_window as (
            partition by channel_key, fit_tier_key
            order by handoff_second
            range between {{ lookback_seconds }} preceding and current row
        ),
        all_window as (
            order by handoff_second
            range between {{ lookback_seconds }} preceding and current row
        )

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
