with

source as (

    select * from {{ source('salesforce', 'user_role') }}
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

versions as (

    -- a version without a last-modified time (a deletion tombstone, an export
    -- lacking the column) ranks at the record's newest known time, so that
    -- delivery order decides between it and the newest dated version
    select
        *,
        coalesce(
            updated_at,
            max(updated_at) over (partition by user_role_id)
        ) as version_updated_at

    from renamed

),

versions_ranked as (

    -- several batches may deliver the same record: keep the latest version
    select
        *,
        row_number() over (
            partition by user_role_id
            order by
                version_updated_at desc,
                loaded_at desc,
                batch_id desc,
                source_line desc
        ) as version_number

    from versions

),

final as (

    select
        user_role_id,
        role_name,
        updated_at,
        batch_id,
        loaded_at

    from versions_ranked

    where
        version_number = 1

)

select * from final
