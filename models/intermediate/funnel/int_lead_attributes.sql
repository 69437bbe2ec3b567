{#-
    Per lead: channel and inbound/outbound from seeds/channel_map (unmapped → `other`,
    outbound), fit points and tier from seeds/fit_rules + fit_tiers, and the segment
    SLA policies are chosen by (`*` until a segmentation is defined).
-#}
with

leads as (

    select * from {{ ref('int_leads_unioned') }}

),

channel_map as (

    select * from {{ ref('channel_map') }}

),

fit_rules as (

    select * from {{ ref('fit_rules') }}

),

fit_tiers as (

    select * from {{ ref('fit_tiers') }}

),

rule_matches as (

    select
        leads.lead_id,
        fit_rules.criterion,
        max(fit_rules.points) as points

    from leads

    inner join fit_rules
        on
            case
                when fit_rules.attribute = 'industry' and fit_rules.operator = 'equals'
                    then lower(trim(leads.industry)) = lower(trim(fit_rules.value))
                when fit_rules.attribute = 'country' and fit_rules.operator = 'equals'
                    then lower(trim(leads.country)) = lower(trim(fit_rules.value))
                when fit_rules.attribute = 'job_title' and fit_rules.operator = 'equals'
                    then lower(trim(leads.job_title)) = lower(trim(fit_rules.value))
                when fit_rules.attribute = 'job_title' and fit_rules.operator = 'contains'
                    then lower(leads.job_title) like {{ dbt.concat(["'%'", "lower(trim(fit_rules.value))", "'%'"]) }}
                when fit_rules.attribute = 'industry' and fit_rules.operator = 'contains'
                    then lower(leads.industry) like {{ dbt.concat(["'%'", "lower(trim(fit_rules.value))", "'%'"]) }}
                -- head counts only when exact, bands only when the CRM gives a band
                when fit_rules.attribute = 'employees' and fit_rules.operator = 'between'
                    then
                        leads.is_employee_count_exact
                        and leads.employees between fit_rules.min_value and fit_rules.max_value
                when fit_rules.attribute = 'employee_band' and fit_rules.operator = 'equals'
                    then
                        not leads.is_employee_count_exact
                        and lower(trim(leads.employee_band)) = lower(trim(fit_rules.value))
                else false
            end

    group by
        leads.lead_id,
        fit_rules.criterion

),

fit_points as (

    select
        lead_id,
        sum(points) as fit_points

    from rule_matches

    group by lead_id

),

scored as (

    select
        leads.lead_id,
        leads.source_crm,
        leads.original_source,
        cast(coalesce(fit_points.fit_points, 0) as {{ dbt.type_int() }}) as fit_points

    from leads

    left join fit_points
        on leads.lead_id = fit_points.lead_id

),

tiered as (

    select
        scored.lead_id,
        fit_tiers.fit_tier,
        fit_tiers.is_good_fit,
        row_number() over (
            partition by scored.lead_id
            order by fit_tiers.min_points desc
        ) as tier_rank

    from scored

    inner join fit_tiers
        on scored.fit_points >= fit_tiers.min_points

),

final as (

    select
        scored.lead_id,
        coalesce(channel_map.channel, 'other') as channel,
        coalesce(channel_map.is_inbound, false) as is_inbound,
        scored.fit_points,
        tiered.fit_tier,
        coalesce(tiered.is_good_fit, false) as is_good_fit,
        -- one segment until a segmentation (region, size …) is agreed; sla_policy
        -- rows with segment `*` apply to it
        '*' as segment

    from scored

    left join channel_map
        on
            scored.source_crm = channel_map.crm
            and scored.original_source = channel_map.source_value

    left join tiered
        on
            scored.lead_id = tiered.lead_id
            and tiered.tier_rank = 1

)

select * from final
