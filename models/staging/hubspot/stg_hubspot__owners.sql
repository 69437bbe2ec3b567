with

source as (

    select * from {{ handoff_source('hubspot', 'owners') }}
    where {{ crm_enabled('hubspot') }}

),

renamed as (

    select
        nullif(trim(id), '') as owner_id,
        lower(nullif(trim(email), '')) as email,
        nullif(trim(firstname), '') as first_name,
        nullif(trim(lastname), '') as last_name,
        nullif(
            trim(
                {{ dbt.concat([
                    "coalesce(trim(firstname), '')",
                    "' '",
                    "coalesce(trim(lastname), '')",
                ]) }}
            ),
            ''
        ) as full_name,
        nullif(trim(teams), '') as team_names,
        cast(createdat as {{ dbt.type_timestamp() }}) as created_at,
        cast(updatedat as {{ dbt.type_timestamp() }}) as updated_at,

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
    {{ latest_version('renamed', ['owner_id']) }}

),

final as (

    select
        owner_id,
        email,
        first_name,
        last_name,
        full_name,
        team_names,
        created_at,
        updated_at,
        batch_id,
        loaded_at

    from latest_versions

)

select * from final
