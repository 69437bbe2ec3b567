{#-
    One row per CRM user (HubSpot owner, Salesforce user) with the team, role and
    timezone the SLAs are measured by. Owners are employees, not leads: their name
    stays so BI can say who breached; their e-mail does not reach the marts.
-#}
with

owners as (

    select * from {{ ref('int_owners') }}

),

final as (

    select
        cast(owner_id as {{ dbt.type_string() }}) as owner_id,
        cast(crm as {{ dbt.type_string() }}) as crm,
        cast(owner_name as {{ dbt.type_string() }}) as owner_name,
        cast(team as {{ dbt.type_string() }}) as team,
        cast(role as {{ dbt.type_string() }}) as role,  -- noqa: RF04
        cast(timezone as {{ dbt.type_string() }}) as timezone,
        cast(is_sales_side as boolean) as is_sales_side,
        cast(is_active as boolean) as is_active,
        cast(placement_source as {{ dbt.type_string() }}) as placement_source

    from owners

)

select * from final
