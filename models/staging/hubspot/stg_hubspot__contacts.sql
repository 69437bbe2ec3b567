with

source as (

    select * from {{ handoff_source('hubspot', 'contacts') }}
    where {{ crm_enabled('hubspot') }}

),

renamed as (

    select
        nullif(trim(hs_object_id), '') as contact_id,
        cast(createdate as {{ dbt.type_timestamp() }}) as created_at,
        cast(lastmodifieddate as {{ dbt.type_timestamp() }}) as updated_at,
        nullif(trim(lifecyclestage), '') as lifecycle_stage,
        coalesce(
            cast(hs_v2_date_entered_lead as {{ dbt.type_timestamp() }}),
            cast(hs_lifecyclestage_lead_date as {{ dbt.type_timestamp() }})
        ) as became_lead_at,
        coalesce(
            cast(hs_v2_date_entered_marketingqualifiedlead as {{ dbt.type_timestamp() }}),
            cast(hs_lifecyclestage_marketingqualifiedlead_date as {{ dbt.type_timestamp() }})
        ) as became_mql_at,
        coalesce(
            cast(hs_v2_date_entered_salesqualifiedlead as {{ dbt.type_timestamp() }}),
            cast(hs_lifecyclestage_salesqualifiedlead_date as {{ dbt.type_timestamp() }})
        ) as became_sql_at,
        coalesce(
            cast(hs_v2_date_entered_opportunity as {{ dbt.type_timestamp() }}),
            cast(hs_lifecyclestage_opportunity_date as {{ dbt.type_timestamp() }})
        ) as became_opportunity_at,
        coalesce(
            cast(hs_v2_date_entered_customer as {{ dbt.type_timestamp() }}),
            cast(hs_lifecyclestage_customer_date as {{ dbt.type_timestamp() }})
        ) as became_customer_at,
        nullif(trim(hs_lead_status), '') as lead_status,
        nullif(trim(hubspot_owner_id), '') as owner_id,
        nullif(trim(hubspot_owner_name), '') as owner_name,
        cast(hubspot_owner_assigneddate as {{ dbt.type_timestamp() }}) as owner_assigned_at,
        nullif(trim(hs_time_to_first_engagement), '') as hubspot_lead_response_time,
        cast(hs_is_unworked as {{ dbt.type_boolean() }}) as is_unworked,
        nullif(trim(hs_analytics_source), '') as original_source,
        nullif(trim(hs_analytics_source_data_1), '') as original_source_detail,
        nullif(trim(first_conversion_event_name), '') as first_conversion,
        nullif(trim(recent_conversion_event_name), '') as recent_conversion,
        lower(nullif(trim(email), '')) as email,
        nullif(trim(firstname), '') as first_name,
        nullif(trim(lastname), '') as last_name,
        nullif(trim(phone), '') as phone,
        nullif(trim(company), '') as company_name,
        nullif(trim(industry), '') as industry,
        nullif(trim(numemployees), '') as employee_range,
        nullif(trim(country), '') as country,
        nullif(trim(jobtitle), '') as job_title,
        nullif(trim(salesforceleadid), '') as salesforce_lead_id,
        nullif(trim(salesforcecontactid), '') as salesforce_contact_id,

        -- lineage: which delivery this version came from
        _batch_id as batch_id,
        _source_line as source_line,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as loaded_at,

        -- deletion flag (archived, or the connector's _fivetran_deleted): filters below
        coalesce(cast(archived as {{ dbt.type_boolean() }}), false) as is_deleted

    from source

),

latest_versions as (

    -- several batches may deliver the same record: keep the latest version
    -- (a record whose latest version is deleted disappears)
    {{ latest_version('renamed', ['contact_id']) }}

),

final as (

    select
        contact_id,
        created_at,
        updated_at,
        lifecycle_stage,
        became_lead_at,
        became_mql_at,
        became_sql_at,
        became_opportunity_at,
        became_customer_at,
        lead_status,
        owner_id,
        owner_name,
        owner_assigned_at,
        hubspot_lead_response_time,
        is_unworked,
        original_source,
        original_source_detail,
        first_conversion,
        recent_conversion,
        email,
        first_name,
        last_name,
        phone,
        company_name,
        industry,
        employee_range,
        country,
        job_title,
        salesforce_lead_id,
        salesforce_contact_id,
        batch_id,
        loaded_at

    from latest_versions

)

select * from final
