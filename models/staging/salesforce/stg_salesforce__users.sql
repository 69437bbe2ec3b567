with

source as (

    select * from {{ handoff_source('salesforce', 'user') }}
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

latest_versions as (

    -- several batches may deliver the same record: keep the latest version
    {{ latest_version('renamed', ['user_id'], is_deleted=none) }}

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

    from latest_versions

)

select * from final
