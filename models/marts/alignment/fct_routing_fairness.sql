{#-
    Is the round robin fair in quality, not just in count (README "Is the round
    robin fair")? Per month (UTC, of the handoff), team and owner: the handoffs
    received and their share of the team's, the expected SQLs they carry
    (`int_handoff_expected_sqls`) and their share of the team's, and whether the
    two shares differ beyond chance.

    The test: were the team's handoffs of the month dealt at random, an owner
    receiving n of the N handoffs would get expected SQLs S with mean n·W/N and
    variance n·σ²·(N − n)/(N − 1) (a random draw of n of the N handoff weights
    without replacement; W their sum, σ² their population variance). z = (S −
    n·W/N) / √variance, two-sided p from the normal distribution; beyond chance
    when p < 0.05 (|z| > 1.96). z is rounded to 6 decimals, p to 4 (Abramowitz &
    Stegun's normal tail is good to 1e-7). No variance (every handoff alike, or one owner
    holding them all) → z and p null, never beyond chance.
-#}
with

handoffs as (

    select * from {{ ref('int_handoff_expected_sqls') }}

),

handoff_months as (

    select
        cast({{ dbt.date_trunc('month', 'handoff_at') }} as date) as month_start_date,
        team,
        owner_id,
        expected_sqls

    from handoffs

),

team_months as (

    select
        month_start_date,
        team,
        count(*) as team_handoffs,
        -- rounded: a sum of doubles otherwise differs in its last bits run to run
        {{ round_double('sum(expected_sqls)', 9) }} as team_expected_sqls,
        {{ round_double('sum(expected_sqls * expected_sqls)', 9) }} as team_expected_sqls_squared

    from handoff_months

    group by
        month_start_date,
        team

),

owner_months as (

    select
        month_start_date,
        team,
        owner_id,
        count(*) as handoffs,
        {{ round_double('sum(expected_sqls)', 9) }} as expected_sqls

    from handoff_months

    group by
        month_start_date,
        team,
        owner_id

),

tested as (

    select
        owner_months.*,
        team_months.team_handoffs,
        team_months.team_expected_sqls,
        -- population variance of the team's handoff weights
        team_months.team_expected_sqls_squared / team_months.team_handoffs
        - (team_months.team_expected_sqls / team_months.team_handoffs)
        * (team_months.team_expected_sqls / team_months.team_handoffs) as weight_variance

    from owner_months

    inner join team_months
        on
            owner_months.month_start_date = team_months.month_start_date
            and owner_months.team = team_months.team

),

z_scores as (

    select
        *,
        case
            when
                team_handoffs > 1
                and handoffs < team_handoffs
                and weight_variance > 0.000000000001
                then
                    (expected_sqls - handoffs * team_expected_sqls / team_handoffs)
                    / sqrt(
                        handoffs * weight_variance * (team_handoffs - handoffs) / (team_handoffs - 1.0)
                    )
        end as share_difference_z

    from tested

),

-- two-sided p-value: 2·(1 − Φ(|z|)), Φ by Abramowitz & Stegun 26.2.17 (error < 7.5e-8)
p_values as (

    select
        *,
        1.0 / (1.0 + 0.2316419 * abs(share_difference_z)) as poly_t

    from z_scores

),

tail_probabilities as (

    select
        *,
        least(
            2 * exp(0 - share_difference_z * share_difference_z / 2) / sqrt(2 * pi())
            * poly_t * (
                0.319381530 + poly_t * (
                    -0.356563782 + poly_t * (
                        1.781477937 + poly_t * (-1.821255978 + poly_t * 1.330274429)
                    )
                )
            ),
            1.0
        ) as share_difference_p_value

    from p_values

),

final as (

    select
        month_start_date,
        cast(team as {{ dbt.type_string() }}) as team,
        cast(owner_id as {{ dbt.type_string() }}) as owner_id,
        cast(handoffs as bigint) as handoffs,
        cast(cast(handoffs as {{ type_double() }}) / team_handoffs as {{ type_double() }})
            as handoff_share,
        cast(expected_sqls as {{ type_double() }}) as expected_sqls,
        cast(
            case when team_expected_sqls > 0 then expected_sqls / team_expected_sqls end
            as {{ type_double() }}
        ) as expected_sql_share,
        {{ round_double('share_difference_z', 6) }} as share_difference_z,
        {{ round_double('share_difference_p_value', 4) }} as share_difference_p_value,
        coalesce(abs(share_difference_z) > 1.959964, false) as is_beyond_chance

    from tail_probabilities

)

select * from final
