{#-
    Will marketing make the week's promise? (README, "Statistics") One row per ISO
    week (Monday start, UTC) × segment × business day (1 = Monday … 5 = Friday), as
    of that day's end (UTC): the MQLs delivered so far, their good-fit share, and the
    forecast of the week's total (Monday to Sunday) against the target.

    The forecast adds to what was delivered so far the deliveries that came after
    the same business day in each of the segment's complete weeks among the 12
    before the forecast week (an empirical distribution of the rest of the week;
    weeks of the forecast week or later never enter its fit):
      expected_week_end_mqls = delivered so far + mean of those remainders;
      probability_of_meeting_target = (h + ½) / (m + 1), h of the m weeks' remainders
      taking the delivered-so-far to the target (½ and 1 keep it off 0 and 1 on few
      weeks), or 1 once the target is reached.
    Both are null with fewer than 4 such weeks. A day whose end is after the as-of
    has no row yet; past weeks are kept, so the forecasts can be scored.
-#}
with

weekly as (

    select * from {{ ref('fct_marketing_sla_weekly') }}

),

handoffs as (

    select * from {{ ref('fct_handoffs') }}

),

as_of as (

    select max(as_of_at) as as_of_at

    from handoffs

),

business_days as (

    {% for day in range(1, 6) -%}
        select {{ day }} as business_day_of_week{{ ' union all' if not loop.last }}
    {% endfor %}

),

-- the week's days so far: each day once its end (UTC) is at or before the as-of
week_days as (

    select
        weekly.week_start_date,
        weekly.segment,
        weekly.target_mqls,
        weekly.delivered_mqls,
        weekly.is_week_complete,
        business_days.business_day_of_week

    from weekly

    cross join business_days

    cross join as_of

    where {{ dbt.dateadd('day', 'business_days.business_day_of_week', 'weekly.week_start_date') }} <= as_of.as_of_at

),

handoff_days as (

    select
        handoff_week_start_date as week_start_date,
        segment,
        is_good_fit,
        {{ dbt.datediff('handoff_week_start_date', 'handoff_date', 'day') }} + 1 as day_of_week  -- noqa: LT05

    from handoffs

),

-- deliveries per day of the week (1 = Monday … 7 = Sunday)
daily_deliveries as (

    select
        week_start_date,
        segment,
        day_of_week,
        count(*) as delivered_mqls,
        sum(case when is_good_fit then 1 else 0 end) as good_fit_mqls

    from handoff_days

    group by
        week_start_date,
        segment,
        day_of_week

),

so_far as (

    select
        week_days.week_start_date,
        week_days.segment,
        week_days.business_day_of_week,
        week_days.target_mqls,
        week_days.delivered_mqls,
        week_days.is_week_complete,
        coalesce(sum(daily_deliveries.delivered_mqls), 0) as delivered_so_far,
        coalesce(sum(daily_deliveries.good_fit_mqls), 0) as good_fit_so_far

    from week_days

    left join daily_deliveries
        on
            week_days.week_start_date = daily_deliveries.week_start_date
            and week_days.segment = daily_deliveries.segment
            and week_days.business_day_of_week >= daily_deliveries.day_of_week

    group by
        week_days.week_start_date,
        week_days.segment,
        week_days.business_day_of_week,
        week_days.target_mqls,
        week_days.delivered_mqls,
        week_days.is_week_complete

),

-- the rest of each complete week after each business day: the model's history
remainders as (

    select
        week_start_date,
        segment,
        business_day_of_week,
        delivered_mqls - delivered_so_far as remaining_mqls

    from so_far

    where is_week_complete

),

fits as (

    select
        so_far.week_start_date,
        so_far.segment,
        so_far.business_day_of_week,
        count(remainders.remaining_mqls) as fitted_weeks,
        avg(cast(remainders.remaining_mqls as {{ type_double() }})) as mean_remaining_mqls,
        sum(
            case when so_far.delivered_so_far + remainders.remaining_mqls >= so_far.target_mqls then 1 else 0 end
        ) as reaching_weeks

    from so_far

    left join remainders
        on
            so_far.segment = remainders.segment
            and so_far.business_day_of_week = remainders.business_day_of_week
            and so_far.week_start_date > remainders.week_start_date
            and {{ dbt.dateadd('day', -84, 'so_far.week_start_date') }} <= remainders.week_start_date

    group by
        so_far.week_start_date,
        so_far.segment,
        so_far.business_day_of_week

),

final as (

    select
        cast(so_far.week_start_date as date) as week_start_date,
        cast(so_far.segment as {{ dbt.type_string() }}) as segment,
        cast(so_far.business_day_of_week as integer) as business_day_of_week,
        cast(so_far.delivered_so_far as bigint) as delivered_so_far,
        cast(
            case
                when so_far.delivered_so_far > 0
                    then cast(so_far.good_fit_so_far as {{ type_double() }}) / so_far.delivered_so_far
            end as {{ type_double() }}
        ) as good_fit_share_so_far,
        cast(so_far.target_mqls as bigint) as target_mqls,
        cast(
            case
                when fits.fitted_weeks >= 4 then so_far.delivered_so_far + fits.mean_remaining_mqls
            end as {{ type_double() }}
        ) as expected_week_end_mqls,
        cast(
            case
                when so_far.target_mqls is null then null
                when so_far.delivered_so_far >= so_far.target_mqls then 1
                when fits.fitted_weeks >= 4
                    then (cast(fits.reaching_weeks as {{ type_double() }}) + 0.5) / (fits.fitted_weeks + 1)
            end as {{ type_double() }}
        ) as probability_of_meeting_target,
        cast(fits.fitted_weeks as integer) as fitted_weeks,
        cast(so_far.is_week_complete as boolean) as is_week_complete,
        cast(so_far.delivered_mqls as bigint) as delivered_mqls

    from so_far

    inner join fits
        on
            so_far.week_start_date = fits.week_start_date
            and so_far.segment = fits.segment
            and so_far.business_day_of_week = fits.business_day_of_week

)

select * from final
