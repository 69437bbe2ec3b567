with

source as (

    select * from {{ handoff_source('salesforce', 'account') }}
    where {{ crm_enabled('salesforce') }}

),

renamed as (

    select
        nullif(trim(id), '') as account_id,
        nullif(trim(name), '') as account_name,
        nullif(trim(industry), '') as industry,
        cast(number_of_employees as {{ dbt.type_bigint() }}) as employee_count,
        nullif(trim(billing_country), '') as billing_country,
        nullif(trim(type), '') as account_type,
        cast(created_date as {{ dbt.type_timestamp() }}) as created_at,
        cast(last_modified_date as {{ dbt.type_timestamp() }}) as updated_at,

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
    {{ latest_version('renamed', ['account_id']) }}

),

final as (

    select
        account_id,
        account_name,
        industry,
        employee_count,
        billing_country,
        account_type,
        created_at,
        updated_at,
        batch_id,
        loaded_at

    from latest_versions

)

select * from final
