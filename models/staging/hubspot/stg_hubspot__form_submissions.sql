with

source as (

    select * from {{ source('hubspot', 'form_submissions') }}
    where {{ crm_enabled('hubspot') }}

),

renamed as (

    select
        nullif(trim(contact_id), '') as contact_id,
        nullif(trim(form_id), '') as form_id,
        nullif(trim(form_title), '') as form_title,
        cast(submitted_at as {{ dbt.type_timestamp() }}) as submitted_at,
        nullif(trim(page_url), '') as page_url,
        nullif(trim(conversion_id), '') as conversion_id,

        -- lineage: which delivery this version came from
        _batch_id as batch_id,
        _source_line as source_line,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as loaded_at

    from source

),

versions_ranked as (

    -- several batches may deliver the same event: keep the latest-loaded copy
    select
        *,
        row_number() over (
            partition by contact_id, form_id, submitted_at
            order by
                loaded_at desc,
                batch_id desc,
                source_line desc
        ) as version_number

    from renamed

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

    from versions_ranked

    where
        version_number = 1

)

select * from final
