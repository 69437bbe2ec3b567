with

source as (

    select * from {{ handoff_source('hubspot', 'deals') }}
    where {{ crm_enabled('hubspot') }}

),

renamed as (

    select
        nullif(trim(hs_object_id), '') as deal_id,
        nullif(trim(dealname), '') as deal_name,
        nullif(trim(dealstage), '') as deal_stage,
        nullif(trim(pipeline), '') as pipeline,
        cast(amount as {{ dbt.type_numeric() }}) as amount,
        cast(createdate as {{ dbt.type_timestamp() }}) as created_at,
        cast(closedate as {{ dbt.type_timestamp() }}) as closed_at,
        cast(hs_lastmodifieddate as {{ dbt.type_timestamp() }}) as updated_at,
        cast(hs_is_closed_won as {{ dbt.type_boolean() }}) as is_closed_won,
        nullif(trim(hubspot_owner_id), '') as owner_id,
        nullif(trim(contact_ids), '') as contact_ids,

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
    {{ latest_version('renamed', ['deal_id']) }}

),

final as (

    select
        deal_id,
        deal_name,
        deal_stage,
        pipeline,
        amount,
        created_at,
        closed_at,
        updated_at,
        is_closed_won,
        owner_id,
        contact_ids,
        batch_id,
        loaded_at

    from latest_versions

)

select * from final
