{#-
    A deterministic key hashed from several columns, for records whose extract
    carries no id of their own. Nulls hash to a marker distinct from '' so that
    (null, 'a') and ('', 'a') stay different keys. Cross-database: dbt.hash,
    dbt.concat and dbt.type_string only.
-#}
{% macro surrogate_key(columns) -%}
    {{ return(adapter.dispatch('surrogate_key', 'handoff')(columns)) }}
{%- endmacro %}

{% macro default__surrogate_key(columns) -%}
    {%- set fields = [] -%}
    {%- for column in columns -%}
        {%- do fields.append(
            "coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '_null_')"
        ) -%}
        {%- if not loop.last -%}
            {%- do fields.append("'|'") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(fields)) }}
{%- endmacro %}
