{#-
    One row per person ("one person, one lead": docs/definitions.md, "Funnel"). A
    HubSpot contact is the same person as a Salesforce lead when its salesforceleadid
    points at the lead, else its salesforcecontactid at the lead's converted contact,
    else it shares the lead's normalised e-mail; each lead and each contact joins at
    most one pair. lead_id: the Salesforce lead id when there is one, else
    `hs-<contact id>`. PII stays here: downstream gets email_hash only.
-#}
with

contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

salesforce_leads as (

    select * from {{ ref('stg_salesforce__leads') }}

),

hubspot_owners as (

    select * from {{ ref('stg_hubspot__owners') }}

),

owners as (

    select * from {{ ref('int_owners') }}

),

form_submissions as (

    select * from {{ ref('stg_hubspot__form_submissions') }}

),

campaign_members as (

    select * from {{ ref('stg_salesforce__campaign_members') }}

),

campaigns as (

    select * from {{ ref('stg_salesforce__campaigns') }}

),

link_candidates as (

    -- three equi-joins rather than one join on `or`, so engines can hash-join
    select
        contacts.contact_id,
        salesforce_leads.lead_id,
        1 as link_priority,
        contacts.created_at as contact_created_at,
        salesforce_leads.created_at as lead_created_at

    from contacts

    inner join salesforce_leads
        on contacts.salesforce_lead_id = salesforce_leads.lead_id

    union all

    select
        contacts.contact_id,
        salesforce_leads.lead_id,
        2 as link_priority,
        contacts.created_at as contact_created_at,
        salesforce_leads.created_at as lead_created_at

    from contacts

    inner join salesforce_leads
        on contacts.salesforce_contact_id = salesforce_leads.converted_contact_id

    union all

    select
        contacts.contact_id,
        salesforce_leads.lead_id,
        3 as link_priority,
        contacts.created_at as contact_created_at,
        salesforce_leads.created_at as lead_created_at

    from contacts

    inner join salesforce_leads
        on lower(trim(contacts.email)) = lower(trim(salesforce_leads.email))

),

link_candidates_ranked as (

    select
        *,
        row_number() over (
            partition by contact_id
            order by link_priority, lead_created_at, lead_id
        ) as contact_rank,
        row_number() over (
            partition by lead_id
            order by link_priority, contact_created_at, contact_id
        ) as lead_rank

    from link_candidates

),

links as (

    select
        contact_id,
        lead_id,
        link_priority

    from link_candidates_ranked

    where contact_rank = 1 and lead_rank = 1

),

-- UI exports carry the owner's name, not id: resolve it (one id per name)
hubspot_owner_names as (

    select
        lower(trim(full_name)) as owner_name_key,
        min(owner_id) as owner_id

    from hubspot_owners

    group by lower(trim(full_name))

),

first_form_submissions as (

    select
        contact_id,
        form_id,
        form_title,
        row_number() over (
            partition by contact_id
            order by submitted_at, form_id
        ) as submission_number

    from form_submissions

),

first_campaigns as (

    select
        campaign_members.lead_id,
        campaign_members.campaign_id,
        campaigns.campaign_name,
        row_number() over (
            partition by campaign_members.lead_id
            order by campaign_members.created_at, campaign_members.campaign_id
        ) as membership_number

    from campaign_members

    left join campaigns
        on campaign_members.campaign_id = campaigns.campaign_id

    where campaign_members.lead_id is not null

),

hubspot_people as (

    select
        contacts.contact_id,
        links.lead_id as salesforce_lead_id,
        contacts.created_at,
        contacts.email,
        contacts.original_source,
        contacts.company_name,
        contacts.industry,
        contacts.employee_range,
        contacts.country,
        contacts.job_title,
        coalesce(contacts.owner_id, hubspot_owner_names.owner_id) as owner_id,
        coalesce(first_form_submissions.form_title, contacts.first_conversion) as offer,
        first_form_submissions.form_id as offer_id

    from contacts

    left join links
        on contacts.contact_id = links.contact_id

    left join hubspot_owner_names
        on lower(trim(contacts.owner_name)) = hubspot_owner_names.owner_name_key

    left join first_form_submissions
        on
            contacts.contact_id = first_form_submissions.contact_id
            and first_form_submissions.submission_number = 1

),

people as (

    -- HubSpot contacts, merged with their Salesforce lead when synced
    select
        coalesce(salesforce_leads.lead_id, 'hs-' || hubspot_people.contact_id) as lead_id,
        case
            when salesforce_leads.lead_id is not null then 'hubspot+salesforce'
            else 'hubspot'
        end as crm,
        hubspot_people.contact_id as hubspot_contact_id,
        salesforce_leads.lead_id as salesforce_lead_id,
        case
            when salesforce_leads.created_at < hubspot_people.created_at
                then salesforce_leads.created_at
            else coalesce(hubspot_people.created_at, salesforce_leads.created_at)
        end as created_at,
        coalesce(hubspot_people.email, salesforce_leads.email) as email,
        -- marketing's own record of where the person came from wins
        case
            when hubspot_people.original_source is not null then 'hubspot'
            when salesforce_leads.lead_source is not null then 'salesforce'
        end as source_crm,
        coalesce(hubspot_people.original_source, salesforce_leads.lead_source) as original_source,
        -- firmographics: the sales-maintained Salesforce values win
        coalesce(salesforce_leads.company_name, hubspot_people.company_name) as company,
        coalesce(salesforce_leads.industry, hubspot_people.industry) as industry,
        salesforce_leads.employee_count,
        hubspot_people.employee_range,
        coalesce(salesforce_leads.country, hubspot_people.country) as country,
        coalesce(salesforce_leads.job_title, hubspot_people.job_title) as job_title,
        -- the sales owner: Salesforce's when synced
        case
            when salesforce_leads.lead_id is not null then salesforce_leads.owner_id
            else hubspot_people.owner_id
        end as crm_owner_id,
        coalesce(hubspot_people.offer, first_campaigns.campaign_name) as offer,
        coalesce(hubspot_people.offer_id, first_campaigns.campaign_id) as offer_id,
        coalesce(salesforce_leads.is_converted, false) as is_converted,
        salesforce_leads.converted_date,
        salesforce_leads.converted_opportunity_id,
        salesforce_leads.converted_contact_id

    from hubspot_people

    left join salesforce_leads
        on hubspot_people.salesforce_lead_id = salesforce_leads.lead_id

    left join first_campaigns
        on
            salesforce_leads.lead_id = first_campaigns.lead_id
            and first_campaigns.membership_number = 1

    union all

    -- Salesforce leads no HubSpot contact is linked to
    select
        salesforce_leads.lead_id,
        'salesforce' as crm,
        cast(null as {{ dbt.type_string() }}) as hubspot_contact_id,
        salesforce_leads.lead_id as salesforce_lead_id,
        salesforce_leads.created_at,
        salesforce_leads.email,
        case when salesforce_leads.lead_source is not null then 'salesforce' end as source_crm,
        salesforce_leads.lead_source as original_source,
        salesforce_leads.company_name as company,
        salesforce_leads.industry,
        salesforce_leads.employee_count,
        cast(null as {{ dbt.type_string() }}) as employee_range,
        salesforce_leads.country,
        salesforce_leads.job_title,
        salesforce_leads.owner_id as crm_owner_id,
        first_campaigns.campaign_name as offer,
        first_campaigns.campaign_id as offer_id,
        coalesce(salesforce_leads.is_converted, false) as is_converted,
        salesforce_leads.converted_date,
        salesforce_leads.converted_opportunity_id,
        salesforce_leads.converted_contact_id

    from salesforce_leads

    left join first_campaigns
        on
            salesforce_leads.lead_id = first_campaigns.lead_id
            and first_campaigns.membership_number = 1

    where not exists (
        select 1
        from links
        where links.lead_id = salesforce_leads.lead_id
    )

),

employees_parsed as (

    select
        *,
        -- HubSpot bands (`50-100`, `1000+`, `1,000+`): the lower bound
        cast(
            nullif(
                trim(replace(replace(
                    {{ dbt.split_part('employee_range', "'-'", 1) }}, '+', ''
                ), ',', '')),
                ''
            ) as {{ dbt.type_int() }}
        ) as employee_range_lower_bound

    from people

),

final as (

    select
        employees_parsed.lead_id,
        employees_parsed.crm,
        employees_parsed.hubspot_contact_id,
        employees_parsed.salesforce_lead_id,
        employees_parsed.created_at,
        {{ dbt.hash('employees_parsed.email') }} as email_hash,
        employees_parsed.source_crm,
        employees_parsed.original_source,
        employees_parsed.company,
        employees_parsed.industry,
        cast(
            coalesce(employees_parsed.employee_count, employees_parsed.employee_range_lower_bound)
            as {{ dbt.type_int() }}
        ) as employees,
        employees_parsed.employee_count is not null as is_employee_count_exact,
        coalesce(
            employees_parsed.employee_range,
            -- the same bands HubSpot's dropdown uses, for exact Salesforce counts
            case
                when employees_parsed.employee_count is null then null
                when employees_parsed.employee_count <= 5 then '1-5'
                when employees_parsed.employee_count <= 25 then '5-25'
                when employees_parsed.employee_count <= 50 then '25-50'
                when employees_parsed.employee_count <= 100 then '50-100'
                when employees_parsed.employee_count <= 500 then '100-500'
                when employees_parsed.employee_count <= 1000 then '500-1000'
                else '1000+'
            end
        ) as employee_band,
        employees_parsed.country,
        employees_parsed.job_title,
        -- queue ids and unknown users are not an owner
        owners.owner_id,
        employees_parsed.offer,
        employees_parsed.offer_id,
        employees_parsed.is_converted,
        employees_parsed.converted_date,
        employees_parsed.converted_opportunity_id,
        employees_parsed.converted_contact_id

    from employees_parsed

    left join owners
        on employees_parsed.crm_owner_id = owners.owner_id

)

select * from final
