{#-
    What the lead-keyed incremental models have seen, written after all of them
    were built (README "Incremental builds"): every current lead with the
    fingerprint of its identity and attributes, and the run's raw watermark
    (loaded_through), as-of and fingerprint of the global inputs. The next run's
    int_incremental_leads compares against it; a failed run never gets here, so the
    next one recomputes everything the failed one missed.
-#}
{{ config(enabled=target.type != 'spark') }}
-- depends_on: {{ ref('int_lead_stage_events') }}
-- depends_on: {{ ref('int_sales_activities') }}
-- depends_on: {{ ref('int_handoffs') }}
-- depends_on: {{ ref('int_handoffs_business_time') }}
with

incremental_leads as (

    select * from {{ ref('int_incremental_leads') }}

),

final as (

    select
        lead_id,
        lead_fingerprint,
        globals_fingerprint,
        as_of_at,
        loaded_through

    from incremental_leads

    where is_current

)

select * from final
