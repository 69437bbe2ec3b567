{#-
    One row per person (lead/contact), CRM-agnostic, PII masked (docs/definitions.md,
    "Personal data"): no e-mail, name, phone, company or job title — an e-mail hash
    joins people across systems, and the title survives only as a seniority bucket.
    People created after the run's as-of are not in it yet; current_stage is the stage
    as of then.
-#}
with

leads as (

    select * from {{ ref('int_leads_unioned') }}

),

lead_attributes as (

    select * from {{ ref('int_lead_attributes') }}

),

stage_events as (

    select * from {{ ref('int_lead_stage_events') }}

    where entered_at <= {{ as_of_timestamp() }}

),

latest_stages as (

    select
        lead_id,
        stage,
        row_number() over (
            partition by lead_id
            order by event_number desc
        ) as recency_rank

    from stage_events

),

final as (

    select
        cast(leads.lead_id as {{ dbt.type_string() }}) as lead_id,
        cast(leads.crm as {{ dbt.type_string() }}) as crm,
        cast(leads.created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(leads.email_hash as {{ dbt.type_string() }}) as email_hash,
        cast(lead_attributes.channel as {{ dbt.type_string() }}) as channel,
        cast(lead_attributes.is_inbound as boolean) as is_inbound,
        cast(leads.original_source as {{ dbt.type_string() }}) as original_source,
        cast(lead_attributes.fit_tier as {{ dbt.type_string() }}) as fit_tier,
        cast(lead_attributes.is_good_fit as boolean) as is_good_fit,
        cast(lead_attributes.fit_points as integer) as fit_points,
        cast(lead_attributes.segment as {{ dbt.type_string() }}) as segment,
        cast(leads.industry as {{ dbt.type_string() }}) as industry,
        cast(leads.employee_band as {{ dbt.type_string() }}) as employee_band,
        cast(leads.country as {{ dbt.type_string() }}) as country,
        cast(
            case
                when leads.job_title is null or trim(leads.job_title) = '' then null
                when
                    lower(leads.job_title) like '%chief%'
                    or lower(leads.job_title) like '%founder%'
                    or lower(leads.job_title) like '%president%'
                    and lower(leads.job_title) not like '%vice president%'
                    or upper(trim(leads.job_title)) in ('CEO', 'CTO', 'CFO', 'CMO', 'COO', 'CRO', 'CIO')
                    then 'c_level'
                when
                    lower(leads.job_title) like '%vp%'
                    or lower(leads.job_title) like '%vice president%'
                    then 'vp'
                when
                    lower(leads.job_title) like '%director%'
                    or lower(leads.job_title) like '%head%'
                    then 'director'
                when lower(leads.job_title) like '%manager%' then 'manager'
                else 'individual'
            end as {{ dbt.type_string() }}
        ) as seniority,
        cast(coalesce(latest_stages.stage, 'lead') as {{ dbt.type_string() }}) as current_stage,
        cast(leads.owner_id as {{ dbt.type_string() }}) as owner_id,
        cast(leads.hubspot_contact_id as {{ dbt.type_string() }}) as hubspot_contact_id,
        cast(leads.salesforce_lead_id as {{ dbt.type_string() }}) as salesforce_lead_id

    from leads

    left join lead_attributes
        on leads.lead_id = lead_attributes.lead_id

    left join latest_stages
        on
            leads.lead_id = latest_stages.lead_id
            and latest_stages.recency_rank = 1

    where leads.created_at <= {{ as_of_timestamp() }}

)

select * from final
