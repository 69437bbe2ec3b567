{#-
    The SLA policy in force, once for every model that needs it (README, "Changing an
    SLA policy"): per lead segment, the stretches of time each sla_policy row governs.
    At an instant, a segment is under the row with the latest `effective_from` on or
    before it; on a tie an exact-segment row wins over `*`, then the lower policy_id.
    Each row here is one such stretch, from `valid_from_date` (inclusive) to
    `valid_until_date` (exclusive; null while it is the latest), so the policy in force
    at any instant is a range join: `valid_from_date <= t < valid_until_date`.

    Segments are those of the leads (`int_lead_attributes`) and those the policy
    names, so a segment without rows of its own is covered by `*`.
-#}
with

sla_policy as (

    select * from {{ ref('sla_policy') }}

),

lead_attributes as (

    select * from {{ ref('int_lead_attributes') }}

),

segments as (

    select distinct segment

    from lead_attributes

    where segment is not null

    union

    select distinct segment

    from sla_policy

    where segment <> '*'

),

-- every row that can govern a segment, ranked among the rows of its start date
candidates as (

    select
        segments.segment,
        sla_policy.policy_id,
        cast(sla_policy.effective_from as date) as valid_from_date,
        sla_policy.marketing_weekly_mql_target,
        sla_policy.marketing_min_good_fit_share,
        sla_policy.sales_first_touch_business_hours,
        sla_policy.sales_disposition_business_days,
        sla_policy.conversion_window_days,
        row_number() over (
            partition by segments.segment, sla_policy.effective_from
            order by
                case when sla_policy.segment = '*' then 1 else 0 end asc,
                sla_policy.policy_id asc
        ) as start_rank

    from segments

    inner join sla_policy
        on segments.segment = sla_policy.segment or sla_policy.segment = '*'

),

final as (

    select
        cast(segment as {{ dbt.type_string() }}) as segment,
        cast(policy_id as {{ dbt.type_string() }}) as policy_id,
        valid_from_date,
        lead(valid_from_date) over (partition by segment order by valid_from_date)
            as valid_until_date,
        marketing_weekly_mql_target,
        marketing_min_good_fit_share,
        sales_first_touch_business_hours,
        sales_disposition_business_days,
        conversion_window_days

    from candidates

    where start_rank = 1

)

select * from final
