{#-
    One row per time a lead met an offer (the feedback loop: docs/definitions.md,
    "Alignment"), up to the run's as-of: each HubSpot form submission of its contact
    (offer = the form) and each Salesforce campaign membership of its lead or converted
    contact (offer = the campaign, responded or only sent). touch_number orders a lead's
    touches in time (ties by CRM and offer id), 1 = its first.
-#}
with

leads as (

    select * from {{ ref('int_leads_unioned') }}

),

form_submissions as (

    select * from {{ ref('stg_hubspot__form_submissions') }}

),

campaign_members as (

    select * from {{ ref('stg_salesforce__campaign_members') }}

),

form_touches as (

    select
        leads.lead_id,
        'hubspot' as crm,
        form_submissions.form_id as offer_id,
        form_submissions.submitted_at as touched_at,
        true as has_responded

    from form_submissions

    inner join leads
        on form_submissions.contact_id = leads.hubspot_contact_id

    where form_submissions.form_id is not null

),

-- a membership names the lead, or the contact the lead converted into
campaign_people as (

    select
        campaign_members.campaign_member_id,
        coalesce(by_lead.lead_id, by_contact.lead_id) as lead_id,
        campaign_members.campaign_id,
        campaign_members.created_at,
        campaign_members.has_responded

    from campaign_members

    left join leads as by_lead
        on campaign_members.lead_id = by_lead.salesforce_lead_id

    left join leads as by_contact
        on campaign_members.contact_id = by_contact.converted_contact_id

),

campaign_touches as (

    select
        lead_id,
        'salesforce' as crm,
        campaign_id as offer_id,
        created_at as touched_at,
        coalesce(has_responded, false) as has_responded

    from campaign_people

    where
        lead_id is not null
        and campaign_id is not null

),

touches as (

    select * from form_touches

    union all

    select * from campaign_touches

),

final as (

    select
        lead_id,
        crm,
        offer_id,
        touched_at,
        has_responded,
        cast(row_number() over (
            partition by lead_id
            order by touched_at, crm, offer_id
        ) as {{ dbt.type_int() }}) as touch_number

    from touches

    where
        touched_at is not null
        and touched_at <= {{ as_of_timestamp() }}

)

select * from final
