{#-
    The week spine of the weekly marts, once: every ISO week (Monday start, UTC, as
    `dim_calendar` numbers them) from the week of the first handoff to the week of the
    as-of, quiet weeks included. `fct_marketing_sla_weekly` and `fct_team_capacity`
    cross it with their segments and teams, so a week without handoffs still has a row.
    No handoff, no weeks.
-#}
with

handoffs as (

    select * from {{ ref('fct_handoffs') }}

),

calendar as (

    select * from {{ ref('dim_calendar') }}

),

week_bounds as (

    select
        min(handoff_week_start_date) as first_week_start_date,
        cast({{ as_of_timestamp() }} as date) as as_of_date

    from handoffs

),

final as (

    select distinct calendar.week_start_date

    from calendar

    cross join week_bounds

    where
        calendar.week_start_date >= week_bounds.first_week_start_date
        and calendar.calendar_date <= week_bounds.as_of_date

)

select * from final
