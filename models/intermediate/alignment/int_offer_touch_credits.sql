{#-
    One row per offer touch × attribution model: the share of the lead's credit the
    touch earns (README "Who gets the credit"). Per lead and model the shares sum
    to 1.

    Roles: `first` = the lead's first touch; `mql` = its latest touch at or before
    its first MQL; `opportunity` = its latest touch at or before its first
    opportunity; `others` = every touch holding none of the model's roles. A touch
    holding two roles takes both shares; a role with no touch (never MQL, no
    opportunity, no other touch) gives its share evenly to the roles that have one.
    Credits are rounded to 12 decimals.

    - first_touch: all to `first`; last_touch: all to the touch at or before the
      first MQL, else the first opportunity, else the latest touch (the rule of
      fct_offer_performance's last touch);
    - linear: 1 / touches each;
    - u_shaped: 40 % first, 40 % mql, 20 % shared by the others;
    - w_shaped: 30 % first, 30 % mql, 30 % opportunity, 10 % shared by the others;
    - time_decay: weight 2^(−days before the reference ÷ half-life), the reference
      being the first opportunity, else the first MQL, else the latest touch
      (touches after it count as 0 days before); shares are the weights normalised.
-#}
{%- set half_life_days = var('attribution_half_life_days', 7) %}
with

touches as (

    select * from {{ ref('int_offer_touches') }}

),

funnel as (

    select * from {{ ref('fct_lead_funnel') }}

),

touches_with_stages as (

    select
        touches.lead_id,
        touches.touch_number,
        touches.offer_id,
        touches.touched_at,
        funnel.mql_at,
        funnel.opportunity_at,
        max(touches.touched_at) over (partition by touches.lead_id) as last_touched_at,
        count(*) over (partition by touches.lead_id) as lead_touches,
        max(case when touches.touched_at <= funnel.mql_at then touches.touch_number end)
            over (partition by touches.lead_id) as mql_touch_number,
        max(case when touches.touched_at <= funnel.opportunity_at then touches.touch_number end)
            over (partition by touches.lead_id) as opportunity_touch_number,
        max(
            case
                when touches.touched_at <= coalesce(funnel.mql_at, funnel.opportunity_at)
                    then touches.touch_number
            end
        ) over (partition by touches.lead_id) as last_touch_cutoff_number

    from touches

    left join funnel
        on touches.lead_id = funnel.lead_id

),

touch_roles as (

    select
        *,
        touch_number = 1 as is_first,
        coalesce(touch_number = mql_touch_number, false) as is_mql,
        coalesce(touch_number = opportunity_touch_number, false) as is_opportunity,
        -- the last-touch rule of fct_offer_performance: before the cutoff, else the
        -- latest touch when there is no cutoff, else the first
        touch_number = case
            when coalesce(mql_at, opportunity_at) is null then lead_touches
            else coalesce(last_touch_cutoff_number, 1)
        end as is_last_touch,
        -- doubles throughout: a decimal division rounds differently on each engine
        greatest(
            cast(
                {{ dbt.datediff(
                    'touched_at',
                    'coalesce(opportunity_at, mql_at, last_touched_at)',
                    'second',
                ) }} as {{ type_double() }}
            ) / 86400,
            cast(0 as {{ type_double() }})
        ) as days_before_reference

    from touches_with_stages

),

lead_roles as (

    select
        lead_id,
        max(case when is_mql then 1 else 0 end) as has_mql,
        max(case when is_opportunity then 1 else 0 end) as has_opportunity,
        sum(case when not is_first and not is_mql then 1 else 0 end) as u_other_touches,
        sum(case when not is_first and not is_mql and not is_opportunity then 1 else 0 end)
            as w_other_touches,
        sum(
            power(cast(2 as {{ type_double() }}), 0 - days_before_reference / {{ half_life_days }})
        ) as decay_weight_total

    from touch_roles

    group by lead_id

),

-- each role's share after the missing roles' shares are spread over the present ones
lead_shares as (

    select
        lead_id,
        has_mql,
        has_opportunity,
        u_other_touches,
        w_other_touches,
        decay_weight_total,
        (
            cast(0.4 as {{ type_double() }}) * (1 - has_mql)
            + cast(0.2 as {{ type_double() }}) * case when u_other_touches = 0 then 1 else 0 end
        )
        / (1 + has_mql + case when u_other_touches > 0 then 1 else 0 end) as u_spread,
        (
            cast(0.3 as {{ type_double() }}) * (1 - has_mql)
            + cast(0.3 as {{ type_double() }}) * (1 - has_opportunity)
            + cast(0.1 as {{ type_double() }}) * case when w_other_touches = 0 then 1 else 0 end
        )
        / (1 + has_mql + has_opportunity + case when w_other_touches > 0 then 1 else 0 end)
            as w_spread

    from lead_roles

),

touch_credits as (

    select
        touch_roles.lead_id,
        touch_roles.touch_number,
        touch_roles.offer_id,
        touch_roles.touched_at,
        cast(case when touch_roles.is_first then 1 else 0 end as {{ type_double() }})
            as first_touch_credit,
        cast(case when touch_roles.is_last_touch then 1 else 0 end as {{ type_double() }})
            as last_touch_credit,
        cast(1 as {{ type_double() }}) / touch_roles.lead_touches as linear_credit,
        case
            when touch_roles.is_first or touch_roles.is_mql
                then
                    case
                        when touch_roles.is_first
                            then cast(0.4 as {{ type_double() }}) + lead_shares.u_spread
                        else 0
                    end
                    + case
                        when touch_roles.is_mql
                            then cast(0.4 as {{ type_double() }}) + lead_shares.u_spread
                        else 0
                    end
            else (cast(0.2 as {{ type_double() }}) + lead_shares.u_spread) / lead_shares.u_other_touches
        end as u_shaped_credit,
        case
            when touch_roles.is_first or touch_roles.is_mql or touch_roles.is_opportunity
                then
                    case
                        when touch_roles.is_first
                            then cast(0.3 as {{ type_double() }}) + lead_shares.w_spread
                        else 0
                    end
                    + case
                        when touch_roles.is_mql
                            then cast(0.3 as {{ type_double() }}) + lead_shares.w_spread
                        else 0
                    end
                    + case
                        when touch_roles.is_opportunity
                            then cast(0.3 as {{ type_double() }}) + lead_shares.w_spread
                        else 0
                    end
            else (cast(0.1 as {{ type_double() }}) + lead_shares.w_spread) / lead_shares.w_other_touches
        end as w_shaped_credit,
        power(cast(2 as {{ type_double() }}), 0 - touch_roles.days_before_reference / {{ half_life_days }})
        / lead_shares.decay_weight_total as time_decay_credit

    from touch_roles

    inner join lead_shares
        on touch_roles.lead_id = lead_shares.lead_id

),

{%- set models = ['first_touch', 'last_touch', 'linear', 'u_shaped', 'w_shaped', 'time_decay'] %}

final as (

    {% for model in models %}
        select
            lead_id,
            touch_number,
            cast(offer_id as {{ dbt.type_string() }}) as offer_id,
            touched_at,
            cast('{{ model }}' as {{ dbt.type_string() }}) as attribution_model,
            -- 12 decimals: every engine then agrees on sums like 0.3 + 0.3 / 3
            {{ round_double(model ~ '_credit', 12) }} as credit

        from touch_credits
        {% if not loop.last %}
            union all
        {% endif %}
    {% endfor %}

)

select * from final
