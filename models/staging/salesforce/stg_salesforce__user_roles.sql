with

source as (

    select * from {{ handoff_source('salesforce', 'user_role') }}
    where {{ crm_enabled('salesforce') }}

),

renamed as (

    select
        nullif(trim(id), '') as user_role_id,
        nullif(trim(name), '') as role_name,
        cast(last_modified_date as {{ dbt.type_timestamp() }}) as updated_at,

        -- lineage: which delivery this version came from
        _batch_id as batch_id,
        _source_line as source_line,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as loaded_at

    from source

),

latest_versions as (

    -- several batches may deliver the same record: keep the latest version
    {{ latest_version('renamed', ['user_role_id'], is_deleted=none) }}

),

final as (

    select
        user_role_id,
        role_name,
        updated_at,
        batch_id,
        loaded_at

    from latest_versions

)

select * from final
