{#-
    One row per CRM user (HubSpot owner, Salesforce user) with the team and role
    the SLAs are measured by. Placement, first that says it, per attribute:
    seeds/owner_teams (by e-mail) → crm_team_map on the user's own CRM value
    (HubSpot team, Salesforce role) → the same e-mail's placement in the other CRM
    → team `default`, role `sdr`.
-#}
with

hubspot_owners as (

    {% if var('hubspot_enabled', true) %}
        select * from {{ ref('stg_hubspot__owners') }}
    {% else %}
    select
        cast(null as {{ dbt.type_string() }}) as owner_id,
        cast(null as {{ dbt.type_string() }}) as email,
        cast(null as {{ dbt.type_string() }}) as full_name,
        cast(null as {{ dbt.type_string() }}) as team_names
    where false
    {% endif %}

),

salesforce_users as (

    {% if var('salesforce_enabled', true) %}
        select * from {{ ref('stg_salesforce__users') }}
    {% else %}
    select
        cast(null as {{ dbt.type_string() }}) as user_id,
        cast(null as {{ dbt.type_string() }}) as email,
        cast(null as {{ dbt.type_string() }}) as full_name,
        cast(null as {{ dbt.type_string() }}) as user_role_id,
        cast(null as {{ dbt.type_string() }}) as timezone,
        cast(null as {{ dbt.type_boolean() }}) as is_active
    where false
    {% endif %}

),

salesforce_user_roles as (

    {% if var('salesforce_enabled', true) %}
        select * from {{ ref('stg_salesforce__user_roles') }}
    {% else %}
    select
        cast(null as {{ dbt.type_string() }}) as user_role_id,
        cast(null as {{ dbt.type_string() }}) as role_name
    where false
    {% endif %}

),

owner_teams as (

    select * from {{ ref('owner_teams') }}

),

crm_team_map as (

    select * from {{ ref('crm_team_map') }}

),

sales_teams as (

    select * from {{ ref('sales_teams') }}

),

crm_users as (

    select
        owner_id,
        'hubspot' as crm,
        lower(trim(email)) as email,
        full_name as owner_name,
        -- an owner in several teams is placed by the first one listed
        trim({{ dbt.split_part('team_names', "';'", 1) }}) as crm_value,
        cast(null as {{ dbt.type_string() }}) as crm_timezone,
        -- staging drops archived owners: every remaining owner is active
        true as is_active

    from hubspot_owners

    union all

    select
        salesforce_users.user_id as owner_id,
        'salesforce' as crm,
        lower(trim(salesforce_users.email)) as email,
        salesforce_users.full_name as owner_name,
        salesforce_user_roles.role_name as crm_value,
        salesforce_users.timezone as crm_timezone,
        coalesce(salesforce_users.is_active, true) as is_active

    from salesforce_users

    left join salesforce_user_roles
        on salesforce_users.user_role_id = salesforce_user_roles.user_role_id

),

crm_placements as (

    select
        crm_users.owner_id,
        crm_users.crm,
        crm_users.email,
        crm_team_map.team as crm_team,
        crm_team_map.role as crm_role

    from crm_users

    left join crm_team_map
        on
            crm_users.crm = crm_team_map.crm
            and crm_users.crm_value = crm_team_map.crm_value

),

-- the same person's placement in the other CRM (matched by e-mail)
other_crm_placements as (

    select
        email,
        crm,
        max(crm_team) as crm_team,
        max(crm_role) as crm_role

    from crm_placements

    where email is not null

    group by
        email,
        crm

),

placed as (

    select
        crm_users.owner_id,
        crm_users.crm,
        crm_users.email,
        crm_users.owner_name,
        crm_users.crm_timezone,
        crm_users.is_active,
        coalesce(
            owner_teams.team,
            crm_placements.crm_team,
            other_crm_placements.crm_team,
            'default'
        ) as team,
        coalesce(
            owner_teams.role,
            crm_placements.crm_role,
            other_crm_placements.crm_role,
            'sdr'
        ) as role,
        case
            when owner_teams.team is not null or owner_teams.role is not null
                then 'owner_teams'
            when crm_placements.crm_team is not null or crm_placements.crm_role is not null
                then 'crm_team_map'
            when other_crm_placements.crm_team is not null or other_crm_placements.crm_role is not null
                then 'other_crm'
            else 'default'
        end as placement_source

    from crm_users

    left join crm_placements
        on
            crm_users.owner_id = crm_placements.owner_id
            and crm_users.crm = crm_placements.crm

    left join owner_teams
        on crm_users.email = lower(trim(owner_teams.owner_email))

    left join other_crm_placements
        on
            crm_users.email = other_crm_placements.email
            and crm_users.crm != other_crm_placements.crm

),

-- a HubSpot owner's timezone may come from the same person's Salesforce user
salesforce_timezones as (

    select
        email,
        max(crm_timezone) as crm_timezone

    from crm_users

    where crm = 'salesforce' and email is not null

    group by email

),

final as (

    select
        placed.owner_id,
        placed.crm,
        placed.email,
        placed.owner_name,
        placed.team,
        placed.role,
        coalesce(
            sales_teams.timezone,
            placed.crm_timezone,
            salesforce_timezones.crm_timezone,
            'UTC'
        ) as timezone,
        placed.role in ('sdr', 'ae', 'manager') as is_sales_side,
        placed.is_active,
        placed.placement_source

    from placed

    left join sales_teams
        on placed.team = sales_teams.team

    left join salesforce_timezones
        on placed.email = salesforce_timezones.email

)

select * from final
