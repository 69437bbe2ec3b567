{#-
    Every CRM value the models look up in a seed that no seed row maps (README,
    "Unmapped values"), with how many delivered rows carry it and the seed line that
    would map it. The one definition of "unmapped": `handoff check`, the run's
    summary and `handoff status` read this model.

    Values looked up: HubSpot lifecycle stage and lead status (current contacts and
    their property history) and Salesforce lead Status (current leads and LeadHistory)
    in `lifecycle_stage_map`; an owner's first HubSpot team or a user's Salesforce
    role in `crm_team_map` (owners `owner_teams` places by e-mail need no mapping);
    HubSpot original source and Salesforce LeadSource in `channel_map`; Salesforce
    Campaign.Type in `offer_type_map`.
-#}
with

stage_map as (

    select * from {{ ref('lifecycle_stage_map') }}

),

crm_team_map as (

    select * from {{ ref('crm_team_map') }}

),

owner_teams as (

    select * from {{ ref('owner_teams') }}

),

channel_map as (

    select * from {{ ref('channel_map') }}

),

offer_type_map as (

    select * from {{ ref('offer_type_map') }}

),

contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

property_history as (

    select * from {{ ref('stg_hubspot__contact_property_history') }}

),

salesforce_leads as (

    select * from {{ ref('stg_salesforce__leads') }}

),

lead_history as (

    select * from {{ ref('stg_salesforce__lead_history') }}

),

hubspot_owners as (

    select * from {{ ref('stg_hubspot__owners') }}

),

salesforce_users as (

    select * from {{ ref('stg_salesforce__users') }}

),

salesforce_user_roles as (

    select * from {{ ref('stg_salesforce__user_roles') }}

),

campaigns as (

    select * from {{ ref('stg_salesforce__campaigns') }}

),

-- stage values: one row per record or history row carrying the value
stage_values as (

    select
        'hubspot' as crm,
        'lifecyclestage' as field,
        trim(lifecycle_stage) as value

    from contacts

    union all

    select
        'hubspot' as crm,
        'hs_lead_status' as field,
        trim(lead_status) as value

    from contacts

    union all

    select
        'hubspot' as crm,
        property_name as field,
        trim(property_value) as value

    from property_history

    where property_name in ('lifecyclestage', 'hs_lead_status')

    union all

    select
        'salesforce' as crm,
        'Status' as field,
        status as value

    from salesforce_leads

    union all

    select
        'salesforce' as crm,
        'Status' as field,
        new_value as value

    from lead_history

    where field_name = 'Status'

),

unmapped_stages as (

    select
        stage_values.crm,
        stage_values.field,
        stage_values.value,
        'lifecycle_stage_map' as seed_name

    from stage_values

    left join stage_map
        on
            stage_values.crm = stage_map.crm
            and stage_values.field = stage_map.field
            and stage_values.value = stage_map.value

    where stage_values.value is not null and stage_values.value != '' and stage_map.crm is null

),

-- teams and roles of the users owner_teams does not place
team_values as (

    select
        'hubspot' as crm,
        'teams' as field,
        trim({{ dbt.split_part('hubspot_owners.team_names', "';'", 1) }}) as value,
        lower(trim(hubspot_owners.email)) as email

    from hubspot_owners

    union all

    select
        'salesforce' as crm,
        'UserRole.Name' as field,
        salesforce_user_roles.role_name as value,
        lower(trim(salesforce_users.email)) as email

    from salesforce_users

    inner join salesforce_user_roles
        on salesforce_users.user_role_id = salesforce_user_roles.user_role_id

),

unmapped_teams as (

    select
        team_values.crm,
        team_values.field,
        team_values.value,
        'crm_team_map' as seed_name

    from team_values

    left join crm_team_map
        on
            team_values.crm = crm_team_map.crm
            and team_values.value = crm_team_map.crm_value

    left join owner_teams
        on team_values.email = lower(trim(owner_teams.owner_email))

    where
        team_values.value is not null
        and team_values.value != ''
        and crm_team_map.crm is null
        and owner_teams.owner_email is null

),

source_values as (

    select
        'hubspot' as crm,
        'hs_analytics_source' as field,
        original_source as value

    from contacts

    union all

    select
        'salesforce' as crm,
        'LeadSource' as field,
        lead_source as value

    from salesforce_leads

),

unmapped_sources as (

    select
        source_values.crm,
        source_values.field,
        source_values.value,
        'channel_map' as seed_name

    from source_values

    left join channel_map
        on
            source_values.crm = channel_map.crm
            and source_values.value = channel_map.source_value

    where source_values.value is not null and source_values.value != '' and channel_map.crm is null

),

unmapped_campaign_types as (

    select
        'salesforce' as crm,
        'Campaign.Type' as field,
        campaigns.campaign_type as value,
        'offer_type_map' as seed_name

    from campaigns

    left join offer_type_map
        on
            offer_type_map.crm = 'salesforce'
            and campaigns.campaign_type = offer_type_map.source_type

    where
        campaigns.campaign_type is not null
        and campaigns.campaign_type != ''
        and offer_type_map.crm is null

),

unmapped as (

    select * from unmapped_stages

    union all

    select * from unmapped_teams

    union all

    select * from unmapped_sources

    union all

    select * from unmapped_campaign_types

),

counted as (

    select
        crm,
        field,
        value,
        seed_name,
        count(*) as value_rows

    from unmapped

    group by
        crm,
        field,
        value,
        seed_name

),

-- the value as a CSV cell: quoted when it holds a comma or a quote
quoted as (

    select
        *,
        case
            when value like '%,%' or value like '%"%'
                then '"' || replace(value, '"', '""') || '"'
            else value
        end as csv_value

    from counted

),

final as (

    select
        crm,
        field,
        value,
        value_rows as rows,
        'seeds/' || seed_name || '.csv: ' || case seed_name
            when 'lifecycle_stage_map'
                then
                    crm || ',' || field || ',' || csv_value
                    || ',<lead|mql|sql|opportunity|customer|disqualified|recycled>'
            when 'crm_team_map'
                then
                    crm || ',' || csv_value
                    || ',<team of seeds/sales_teams.csv>,<marketing|sdr|ae|manager>'
            when 'channel_map'
                then
                    crm || ',' || csv_value || ',<channel>,<true|false: inbound>'
            else crm || ',' || csv_value || ',<offer_type>,<channel>,<true|false: inbound>'
        end as seed

    from quoted

)

select * from final
