{#-
    The config of the lead-keyed incremental models (README "Incremental builds"),
    in one place: `lead_materialization()` (incremental, or table on Spark),
    delete+insert on lead_id, and the `delete_affected_leads()` pre-hook that
    removes the affected leads' old rows first. Call it where the model's
    `config()` would stand; each such model also keeps its own
    `-- depends_on: int_incremental_leads` line, which dbt reads from the model.
-#}
{% macro lead_incremental_config() -%}
    {{ config(
        materialized=lead_materialization(),
        incremental_strategy='delete+insert',
        unique_key='lead_id',
        pre_hook="{{ delete_affected_leads() }}",
    ) }}
{%- endmacro %}
