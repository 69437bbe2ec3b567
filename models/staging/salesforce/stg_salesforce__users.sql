with

source as (

    select * from {{ source('salesforce', 'user') }}
    where {{ crm_enabled('salesforce') }}

),

renamed as (

    select
        nullif(trim(id), '') as user_id,
        lower(nullif(trim(email), '')) as email,
        nullif(trim(first_name), '') as first_name,
        nullif(trim(last_name), '') as last_name,
        nullif(
            trim(
                {{ dbt.concat([
                    "coalesce(trim(first_name), '')",
                    "' '",
                    "coalesce(trim(last_name), '')",
                ]) }}
            ),
            ''
        ) as full_name,
        nullif(trim(user_role_id), '') as user_role_id,
        nullif(trim(time_zone_sid_key), '') as timezone,
        cast(is_active as {{ dbt.type_boolean() }}) as is_active,
        nullif(trim(department), '') as department,
        nullif(trim(title), '') as job_title,
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
            max(updated_at) over (partition by user_id)
        ) as version_updated_at

    from renamed

),

versions_ranked as (

    -- several batches may deliver the same record: keep the latest version
    select
        *,
        row_number() over (
            partition by user_id
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
        user_id,
        email,
        first_name,
        last_name,
        full_name,
        user_role_id,
        timezone,
        is_active,
        department,
        job_title,
        updated_at,
        batch_id,
        loaded_at

    from versions_ranked

    where
        version_number = 1

)

select * from final
