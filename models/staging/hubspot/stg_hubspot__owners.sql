with

source as (

    select * from {{ source('hubspot', 'owners') }}
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

versions as (

    -- a version without a last-modified time (a deletion tombstone, an export
    -- lacking the column) ranks at the record's newest known time, so that
    -- delivery order decides between it and the newest dated version
    select
        *,
        coalesce(
            updated_at,
            max(updated_at) over (partition by owner_id)
        ) as version_updated_at

    from renamed

),

versions_ranked as (

    -- several batches may deliver the same record: keep the latest version
    select
        *,
        row_number() over (
            partition by owner_id
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

    from versions_ranked

    where
        version_number = 1
        -- a record whose latest version is deleted disappears
        and not is_deleted

)

select * from final
