{#-
    One row per deal (Salesforce opportunity or HubSpot deal) tied to a lead, known
    at the run's as-of: the opportunity a Salesforce lead converted into, and the
    HubSpot deals associated with a contact (`contact_ids`). A person synced across
    both CRMs whose Salesforce lead has an opportunity is counted through Salesforce
    only, so one sale is never counted twice. A deal is won once it closed won at
    or before the as-of.
-#}
with

leads as (

    select * from {{ ref('int_leads_unioned') }}

),

opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

deals as (

    select * from {{ ref('stg_hubspot__deals') }}

),

salesforce_deals as (

    select
        opportunities.opportunity_id as deal_id,
        leads.lead_id,
        'salesforce' as crm,
        opportunities.amount,
        opportunities.created_at,
        -- CloseDate is a date: the deal counts as closed from that midnight (UTC)
        cast(opportunities.close_date as {{ dbt.type_timestamp() }}) as closed_at,
        coalesce(opportunities.is_won, false) as is_closed_won

    from opportunities

    inner join leads
        on opportunities.opportunity_id = leads.converted_opportunity_id

),

deal_contacts_split as (

    select
        deal_id,
        {{ split_to_rows("replace(contact_ids, ',', ';')", "';'") }} as contact_id

    from deals

    where contact_ids is not null

),

deal_contacts as (

    select distinct
        deal_id,
        trim(contact_id) as contact_id

    from deal_contacts_split

    where trim(contact_id) != ''

),

hubspot_deals as (

    select
        deals.deal_id,
        leads.lead_id,
        'hubspot' as crm,
        deals.amount,
        deals.created_at,
        deals.closed_at,
        coalesce(deals.is_closed_won, false) as is_closed_won

    from deals

    inner join deal_contacts
        on deals.deal_id = deal_contacts.deal_id

    inner join leads
        on deal_contacts.contact_id = leads.hubspot_contact_id

    where not exists (
        select 1
        from salesforce_deals
        where salesforce_deals.lead_id = leads.lead_id
    )

),

unioned as (

    select * from salesforce_deals

    union all

    select * from hubspot_deals

),

final as (

    select
        {{ surrogate_key(['crm', 'deal_id', 'lead_id']) }} as lead_deal_id,
        deal_id,
        lead_id,
        crm,
        cast(amount as {{ dbt.type_numeric() }}) as amount,
        created_at,
        closed_at,
        coalesce(is_closed_won and closed_at <= {{ as_of_timestamp() }}, false) as is_won

    from unioned

    where created_at <= {{ as_of_timestamp() }}

)

select * from final
