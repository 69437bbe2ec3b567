{#-
    One row per offer (content asset or campaign a lead can meet; the feedback loop
    of docs/definitions.md, "Alignment"): each HubSpot form (by form id, named by its
    latest title) and each Salesforce campaign (also one only a campaign membership
    names, when the campaign is missing from the extracts). Type, channel and
    inbound/outbound come from `seeds/offer_type_map` (HubSpot forms: row `form`;
    campaigns: by Campaign.Type).
-#}
with

form_submissions as (

    select * from {{ ref('stg_hubspot__form_submissions') }}

),

campaigns as (

    select * from {{ ref('stg_salesforce__campaigns') }}

),

offer_type_map as (

    select * from {{ ref('offer_type_map') }}

),

touches as (

    select * from {{ ref('int_offer_touches') }}

),

forms_ranked as (

    -- a form's title and page can change: the latest submission names it
    select
        form_id,
        form_title,
        page_url,
        row_number() over (
            partition by form_id
            order by submitted_at desc, form_title desc
        ) as submission_rank

    from form_submissions

    where form_id is not null

),

offers as (

    select
        form_id as offer_id,
        'hubspot' as crm,
        'form' as source_type,
        coalesce(form_title, form_id) as offer_name,
        page_url,
        cast(null as {{ dbt.type_string() }}) as campaign_status,
        cast(null as {{ dbt.type_boolean() }}) as is_active

    from forms_ranked

    where submission_rank = 1

    union all

    select
        campaign_id as offer_id,
        'salesforce' as crm,
        coalesce(campaign_type, 'Other') as source_type,
        coalesce(campaign_name, campaign_id) as offer_name,
        cast(null as {{ dbt.type_string() }}) as page_url,
        campaign_status,
        is_active

    from campaigns

),

-- a membership of a campaign missing from the extracts (deleted, never exported)
-- still names an offer: keep it, typed as unmapped, so every touch has its offer
unknown_campaigns as (

    select distinct
        touches.offer_id,
        touches.crm,
        'Other' as source_type,
        touches.offer_id as offer_name,
        cast(null as {{ dbt.type_string() }}) as page_url,
        cast(null as {{ dbt.type_string() }}) as campaign_status,
        cast(null as {{ dbt.type_boolean() }}) as is_active

    from touches

    where
        touches.crm = 'salesforce'
        and not exists (
            select 1
            from offers
            where offers.offer_id = touches.offer_id
        )

),

all_offers as (

    select * from offers

    union all

    select * from unknown_campaigns

),

touch_bounds as (

    select
        crm,
        offer_id,
        min(touched_at) as first_touched_at,
        max(touched_at) as last_touched_at

    from touches

    group by
        crm,
        offer_id

),

final as (

    select
        cast(offers.offer_id as {{ dbt.type_string() }}) as offer_id,
        cast(offers.crm as {{ dbt.type_string() }}) as crm,
        cast(coalesce(offer_type_map.offer_type, 'campaign') as {{ dbt.type_string() }}) as offer_type,
        cast(offers.offer_name as {{ dbt.type_string() }}) as offer_name,
        cast(coalesce(offer_type_map.channel, 'other') as {{ dbt.type_string() }}) as channel,
        coalesce(offer_type_map.is_inbound, false) as is_inbound,
        cast(offers.source_type as {{ dbt.type_string() }}) as source_type,
        cast(offers.page_url as {{ dbt.type_string() }}) as page_url,
        cast(offers.campaign_status as {{ dbt.type_string() }}) as campaign_status,
        offers.is_active,
        cast(touch_bounds.first_touched_at as {{ dbt.type_timestamp() }}) as first_touched_at,
        cast(touch_bounds.last_touched_at as {{ dbt.type_timestamp() }}) as last_touched_at

    from all_offers as offers

    left join offer_type_map
        on
            offers.crm = offer_type_map.crm
            and offers.source_type = offer_type_map.source_type

    left join touch_bounds
        on
            offers.crm = touch_bounds.crm
            and offers.offer_id = touch_bounds.offer_id

)

select * from final
