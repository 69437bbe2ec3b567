{#-
    Incremental builds keyed by lead (README "Incremental builds").

    lead_materialization(): `incremental` (delete+insert on lead_id), except on
    Spark, where dbt-spark without Delta has no delete+insert: `table` there.

    affected_leads(column, key): in an incremental run, a `where` clause keeping the
    rows whose `column` is the `key` (lead_id, hubspot_contact_id, salesforce_lead_id,
    converted_contact_id or converted_opportunity_id) of a lead the new batches touch
    (int_incremental_leads.is_affected); nothing in a full build or a unit test.

    delete_affected_leads(): pre-hook of the lead-keyed incremental models: removes
    every row of the affected leads first, so that a lead left with fewer rows (a
    deleted activity, a lead merged into another) loses the old ones too.
-#}
{% macro lead_materialization() -%}
    {{- return('table' if target.type == 'spark' else 'incremental') -}}
{%- endmacro %}

{% macro affected_leads(column, key='lead_id') -%}
    {#- unit tests have no `this`: they build the model in full -#}
    {%- if this is not none and is_incremental() -%}
        where {{ column }} in (
            select {{ key }}
            from {{ ref('int_incremental_leads') }}
            where is_affected and {{ key }} is not null
        )
    {%- endif -%}
{%- endmacro %}

{% macro delete_affected_leads() -%}
    {#- unit tests have no `this`: they build the model in full -#}
    {%- if this is not none and is_incremental() -%}
        delete from {{ this }}
        where lead_id in (
            select lead_id
            from {{ ref('int_incremental_leads') }}
            where is_affected
        )
    {%- endif -%}
{%- endmacro %}
