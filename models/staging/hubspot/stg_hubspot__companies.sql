with

source as (

    select * from {{ handoff_source('hubspot', 'companies') }}
    where {{ crm_enabled('hubspot') }}

),

renamed as (

    select
        nullif(trim(hs_object_id), '') as company_id,
        nullif(trim(name), '') as company_name,
        lower(nullif(trim(domain), '')) as company_domain,
        nullif(trim(industry), '') as industry,
        cast(numberofemployees as {{ dbt.type_bigint() }}) as employee_count,
        nullif(trim(country), '') as country,
        cast(createdate as {{ dbt.type_timestamp() }}) as created_at,
        cast(hs_lastmodifieddate as {{ dbt.type_timestamp() }}) as updated_at,

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
    {{ latest_version('renamed', ['company_id']) }}

),

final as (

    select
        company_id,
        company_name,
        company_domain,
        industry,
        employee_count,
        country,
        created_at,
        updated_at,
        batch_id,
        loaded_at

    from latest_versions

)

select * from final
