with

source as (

    select * from {{ handoff_source('hubspot', 'form_submissions') }}
    where {{ crm_enabled('hubspot') }}

),

renamed as (

    select
        nullif(trim(contact_id), '') as contact_id,
        nullif(trim(form_id), '') as form_id,
        nullif(trim(form_title), '') as form_title,
        cast(submitted_at as {{ dbt.type_timestamp() }}) as submitted_at,
        -- the page only: its query string carries the submitter's details
        {{ url_without_query('trim(page_url)') }} as page_url,
        nullif(trim(conversion_id), '') as conversion_id,

        -- lineage: which delivery this version came from
        _batch_id as batch_id,
        _source_line as source_line,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as loaded_at

    from source

),

latest_versions as (

    -- several batches may deliver the same event: keep the latest-loaded copy
    {{ latest_version('renamed', ['contact_id', 'form_id', 'submitted_at'], updated_at=none, is_deleted=none) }}

),

final as (

    select
        contact_id,
        form_id,
        form_title,
        submitted_at,
        page_url,
        conversion_id,
        batch_id,
        loaded_at

    from latest_versions

)

select * from final
