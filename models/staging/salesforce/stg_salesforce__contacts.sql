with

source as (

    select * from {{ handoff_source('salesforce', 'contact') }}
    where {{ crm_enabled('salesforce') }}

),

renamed as (

    select
        nullif(trim(id), '') as contact_id,
        nullif(trim(account_id), '') as account_id,
        nullif(trim(owner_id), '') as owner_id,
        lower(nullif(trim(email), '')) as email,
        nullif(trim(first_name), '') as first_name,
        nullif(trim(last_name), '') as last_name,
        nullif(trim(title), '') as job_title,
        nullif(trim(lead_source), '') as lead_source,
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
    {{ latest_version('renamed', ['contact_id']) }}

),

final as (

    select
        contact_id,
        account_id,
        owner_id,
        email,
        first_name,
        last_name,
        job_title,
        lead_source,
        created_at,
        updated_at,
        batch_id,
        loaded_at

    from latest_versions

)

select * from final
