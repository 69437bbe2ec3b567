with

source as (

    select * from {{ handoff_source('salesforce', 'lead') }}
    where {{ crm_enabled('salesforce') }}

),

renamed as (

    select
        nullif(trim(id), '') as lead_id,
        cast(created_date as {{ dbt.type_timestamp() }}) as created_at,
        cast(last_modified_date as {{ dbt.type_timestamp() }}) as updated_at,
        nullif(trim(status), '') as status,
        nullif(trim(lead_source), '') as lead_source,
        nullif(trim(owner_id), '') as owner_id,
        cast(is_converted as {{ dbt.type_boolean() }}) as is_converted,
        cast(converted_date as date) as converted_date,
        nullif(trim(converted_opportunity_id), '') as converted_opportunity_id,
        nullif(trim(converted_contact_id), '') as converted_contact_id,
        nullif(trim(converted_account_id), '') as converted_account_id,
        nullif(trim(company), '') as company_name,
        nullif(trim(industry), '') as industry,
        cast(number_of_employees as {{ dbt.type_bigint() }}) as employee_count,
        nullif(trim(country), '') as country,
        nullif(trim(title), '') as job_title,
        lower(nullif(trim(email), '')) as email,
        nullif(trim(first_name), '') as first_name,
        nullif(trim(last_name), '') as last_name,
        nullif(trim(phone), '') as phone,

        -- lineage: which delivery this version came from
        _batch_id as batch_id,
        _source_line as source_line,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as loaded_at,

        -- deletion flag (is_deleted, or the connector's _fivetran_deleted): filters below
        coalesce(cast(is_deleted as {{ dbt.type_boolean() }}), false) as is_deleted

    from source

),

latest_versions as (

    -- several batches may deliver the same record: keep the latest version
    -- (a record whose latest version is deleted disappears)
    {{ latest_version('renamed', ['lead_id']) }}

),

final as (

    select
        lead_id,
        created_at,
        updated_at,
        status,
        lead_source,
        owner_id,
        is_converted,
        converted_date,
        converted_opportunity_id,
        converted_contact_id,
        converted_account_id,
        company_name,
        industry,
        employee_count,
        country,
        job_title,
        email,
        first_name,
        last_name,
        phone,
        batch_id,
        loaded_at

    from latest_versions

)

select * from final
