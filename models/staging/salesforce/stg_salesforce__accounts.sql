with

source as (

    select * from {{ source('salesforce', 'account') }}
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

versions as (

    -- a version without a last-modified time (a deletion tombstone, an export
    -- lacking the column) ranks at the record's newest known time, so that
    -- delivery order decides between it and the newest dated version
    select
        *,
        coalesce(
            updated_at,
            max(updated_at) over (partition by account_id)
        ) as version_updated_at

    from renamed

),

versions_ranked as (

    -- several batches may deliver the same record: keep the latest version
    select
        *,
        row_number() over (
            partition by account_id
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

    from versions_ranked

    where
        version_number = 1
        -- a record whose latest version is deleted disappears
        and not is_deleted

)

select * from final
