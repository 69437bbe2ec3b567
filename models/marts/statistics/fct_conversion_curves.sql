{#-
    Time to SQL as a time-to-event with censoring and a competing outcome (README,
    "Statistics"): per month of the handoff (UTC), channel and fit tier, one row per
    whole day since the handoff (0 … the conversion window), the Aalen–Johansen
    cumulative incidence of `sql`, rejection (`disqualified` or `recycled`) being
    the competing event.

    Each handoff is followed until its disposition, counted on day
    floor((disposition_at − handoff_at) ÷ 24 h) when it comes within the window;
    else it is censored: an open handoff on day floor((as-of − handoff_at) ÷ 24 h)
    capped at the window, a disposition after the window on the window's last day.
    Events on a day count before that day's censoring (the censored are still at
    risk that day). A cohort's rows stop at its longest follow-up, so a young
    cohort's curve ends where its follow-up ends.

    With n the handoffs at risk on day t, d₁ / d₂ its sql / rejection events and
    S(t−1) = Π over earlier days of (1 − (d₁ + d₂)/n) the share still open:
    F(t) = Σ S(t−1)·d₁/n. The 95 % interval is the delta method on log(−log F) with
    Greenwood-type variance (Collett, Modelling Survival Data, 3rd ed., p. 411;
    lifelines' AalenJohansenFitter computes the same):
    Var F(t) = Σ (F(t) − F(i))²·d/(n(n−d)) + Σ S(i−1)²·d₁(n−d₁)/n³
               − 2 Σ (F(t) − F(i))·S(i−1)·d₁/n², d = d₁ + d₂,
    summed over days i ≤ t; each square is expanded so that the sums are running
    sums. Null while F is 0 (no SQL yet) and where the risk set is exhausted.
-#}
with

handoffs as (

    select * from {{ ref('fct_handoffs') }}

),

digits as (

    {% for digit in range(10) -%}
        select {{ digit }} as digit{{ ' union all' if not loop.last }}
    {% endfor %}

),

-- 0 … 9,999: every day of a conversion window of up to 27 years
days as (

    select ones.digit + 10 * tens.digit + 100 * hundreds.digit + 1000 * thousands.digit as days_since_handoff

    from digits as ones

    cross join digits as tens

    cross join digits as hundreds

    cross join digits as thousands

),

outcomes as (

    select
        cast({{ dbt.date_trunc('month', 'handoff_at') }} as date) as cohort_month_start_date,
        channel,
        fit_tier,
        conversion_window_days,
        handoff_at,
        as_of_at,
        {{ dbt.datediff('handoff_at', 'disposition_at', 'second') }} as seconds_to_disposition,  -- noqa: LT05
        {{ dbt.datediff('handoff_at', 'as_of_at', 'second') }} as seconds_to_as_of,  -- noqa: LT05
        case
            when
                disposition_at is not null
                and disposition_at <= {{ dbt.dateadd('day', 'conversion_window_days', 'handoff_at') }}
                then disposition
        end as outcome

    from handoffs

),

follow_up as (

    select
        cohort_month_start_date,
        channel,
        fit_tier,
        conversion_window_days,
        case when outcome = 'sql' then 1 else 0 end as is_sql,
        case when outcome in ('disqualified', 'recycled') then 1 else 0 end as is_rejection,
        case when outcome is null then 1 else 0 end as is_censored,
        greatest(
            0,
            cast(
                case
                    when outcome is not null
                        then floor(cast(seconds_to_disposition as {{ type_double() }}) / 86400)
                    else least(
                        cast(conversion_window_days as {{ type_double() }}),
                        floor(cast(seconds_to_as_of as {{ type_double() }}) / 86400)
                    )
                end as integer
            )
        ) as follow_up_days

    from outcomes

),

cohorts as (

    select
        cohort_month_start_date,
        channel,
        fit_tier,
        count(*) as handoffs,
        max(conversion_window_days) as conversion_window_days,
        max(follow_up_days) as last_day

    from follow_up

    group by
        cohort_month_start_date,
        channel,
        fit_tier

),

-- a key without nulls (a channel or fit tier may be null) to join on
cohort_keys as (

    select
        cohorts.*,
        dense_rank() over (order by cohorts.cohort_month_start_date, cohorts.channel, cohorts.fit_tier) as cohort_key

    from cohorts

),

daily_counts as (

    select
        cohort_keys.cohort_key,
        follow_up.follow_up_days as days_since_handoff,
        sum(follow_up.is_sql) as sql_events,
        sum(follow_up.is_rejection) as rejection_events,
        sum(follow_up.is_censored) as censored

    from follow_up

    inner join cohort_keys
        on
            follow_up.cohort_month_start_date = cohort_keys.cohort_month_start_date
            and (follow_up.channel = cohort_keys.channel or (follow_up.channel is null and cohort_keys.channel is null))
            and (
                follow_up.fit_tier = cohort_keys.fit_tier
                or (follow_up.fit_tier is null and cohort_keys.fit_tier is null)
            )

    group by
        cohort_keys.cohort_key,
        follow_up.follow_up_days

),

grid as (

    select
        cohort_keys.cohort_key,
        cohort_keys.cohort_month_start_date,
        cohort_keys.channel,
        cohort_keys.fit_tier,
        cohort_keys.handoffs,
        cohort_keys.conversion_window_days,
        days.days_since_handoff,
        coalesce(daily_counts.sql_events, 0) as sql_events,
        coalesce(daily_counts.rejection_events, 0) as rejection_events,
        coalesce(daily_counts.censored, 0) as censored

    from cohort_keys

    inner join days
        on cohort_keys.last_day >= days.days_since_handoff

    left join daily_counts
        on
            cohort_keys.cohort_key = daily_counts.cohort_key
            and days.days_since_handoff = daily_counts.days_since_handoff

),

risk_sets as (

    select
        *,
        handoffs - coalesce(
            sum(sql_events + rejection_events + censored) over (
                partition by cohort_key
                order by days_since_handoff
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as at_risk

    from grid

),

-- S(t−1): only a cohort's last day can empty its risk set, so every earlier
-- factor 1 − d/n is positive and its logarithm defined
survival as (

    select
        *,
        exp(
            coalesce(
                sum(
                    case
                        when at_risk > sql_events + rejection_events
                            then ln(1 - cast(sql_events + rejection_events as {{ type_double() }}) / at_risk)
                    end
                ) over (
                    partition by cohort_key
                    order by days_since_handoff
                    rows between unbounded preceding and 1 preceding
                ),
                0
            )
        ) as survival_before

    from risk_sets

),

increments as (

    select
        *,
        survival_before * sql_events / at_risk as sql_increment,
        survival_before * rejection_events / at_risk as rejection_increment

    from survival

),

incidence as (

    select
        *,
        sum(sql_increment) over (
            partition by cohort_key
            order by days_since_handoff
            rows between unbounded preceding and current row
        ) as cumulative_sql_share,
        sum(rejection_increment) over (
            partition by cohort_key
            order by days_since_handoff
            rows between unbounded preceding and current row
        ) as cumulative_rejection_share

    from increments

),

-- the terms of the variance on day i: w = d/(n(n−d)) (undefined when d = n)
variance_terms as (

    select
        *,
        case when at_risk > sql_events + rejection_events then 0 else 1 end as is_exhausted,
        case
            when at_risk > sql_events + rejection_events
                then
                    cast(sql_events + rejection_events as {{ type_double() }})
                    / (cast(at_risk as {{ type_double() }}) * (at_risk - sql_events - rejection_events))
            else 0
        end as greenwood_weight,
        survival_before * survival_before * sql_events * (at_risk - sql_events)
        / (cast(at_risk as {{ type_double() }}) * at_risk * at_risk) as binomial_term,
        survival_before * sql_events / (cast(at_risk as {{ type_double() }}) * at_risk) as cross_term

    from incidence

),

running_sums as (

    select
        *,
        sum(is_exhausted) over (
            partition by cohort_key
            order by days_since_handoff
            rows between unbounded preceding and current row
        ) as sum_exhausted,
        sum(greenwood_weight) over (
            partition by cohort_key
            order by days_since_handoff
            rows between unbounded preceding and current row
        ) as sum_weight,
        sum(cumulative_sql_share * greenwood_weight) over (
            partition by cohort_key
            order by days_since_handoff
            rows between unbounded preceding and current row
        ) as sum_weighted_share,
        sum(cumulative_sql_share * cumulative_sql_share * greenwood_weight) over (
            partition by cohort_key
            order by days_since_handoff
            rows between unbounded preceding and current row
        ) as sum_weighted_share_squared,
        sum(binomial_term) over (
            partition by cohort_key
            order by days_since_handoff
            rows between unbounded preceding and current row
        ) as sum_binomial,
        sum(cross_term) over (
            partition by cohort_key
            order by days_since_handoff
            rows between unbounded preceding and current row
        ) as sum_cross,
        sum(cumulative_sql_share * cross_term) over (
            partition by cohort_key
            order by days_since_handoff
            rows between unbounded preceding and current row
        ) as sum_cross_share

    from variance_terms

),

variances as (

    select
        *,
        case
            when sum_exhausted = 0
                then greatest(
                    cast(0 as {{ type_double() }}),
                    cumulative_sql_share * cumulative_sql_share * sum_weight
                    - 2 * cumulative_sql_share * sum_weighted_share
                    + sum_weighted_share_squared
                    + sum_binomial
                    - 2 * (cumulative_sql_share * sum_cross - sum_cross_share)
                )
        end as sql_share_variance

    from running_sums

),

bounds as (

    select
        *,
        case
            when sql_share_variance is not null and cumulative_sql_share > 0 and cumulative_sql_share < 1
                then sqrt(sql_share_variance) / (cumulative_sql_share * abs(ln(cumulative_sql_share)))
        end as log_log_standard_error

    from variances

),

final as (

    select
        cast(cohort_month_start_date as date) as cohort_month_start_date,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(fit_tier as {{ dbt.type_string() }}) as fit_tier,
        cast(days_since_handoff as integer) as days_since_handoff,
        cast(handoffs as bigint) as handoffs,
        cast(conversion_window_days as integer) as conversion_window_days,
        cast(at_risk as bigint) as at_risk,
        cast(sql_events as bigint) as sql_events,
        cast(rejection_events as bigint) as rejection_events,
        cast(censored as bigint) as censored,
        -- a running sum of shares can pass 1 by a rounding error when every handoff converts
        cast(least(cumulative_sql_share, 1) as {{ type_double() }}) as cumulative_sql_share,
        cast(
            case
                when log_log_standard_error is not null
                    then exp(-exp(
                        -- kept inside [−700, 6.5]: PostgreSQL raises on exp's overflow and
                        -- underflow; the bound is then 0 or 1 to far below 1e-12 anyway
                        greatest(
                            -700,
                            least(
                                6.5,
                                ln(-ln(cumulative_sql_share))
                                + cast(1.959963984540054 as {{ type_double() }}) * log_log_standard_error
                            )
                        )
                    ))
            end as {{ type_double() }}
        ) as cumulative_sql_share_ci_low,
        cast(
            case
                when log_log_standard_error is not null
                    then exp(-exp(
                        -- kept inside [−700, 6.5]: PostgreSQL raises on exp's overflow and
                        -- underflow; the bound is then 0 or 1 to far below 1e-12 anyway
                        greatest(
                            -700,
                            least(
                                6.5,
                                ln(-ln(cumulative_sql_share))
                                - cast(1.959963984540054 as {{ type_double() }}) * log_log_standard_error
                            )
                        )
                    ))
            end as {{ type_double() }}
        ) as cumulative_sql_share_ci_high,
        cast(least(cumulative_rejection_share, 1) as {{ type_double() }}) as cumulative_rejection_share

    from bounds

)

select * from final
