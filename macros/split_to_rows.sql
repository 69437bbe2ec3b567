{#-
    Select-list expression that turns one delimited string into one row per item
    (a set-returning function), e.g. HubSpot `contact_ids` `101;102` → two rows.
    Use it alone in the select list of a CTE, then trim and filter the items.
-#}
{% macro split_to_rows(column, delimiter) -%}
    {{ return(adapter.dispatch('split_to_rows', 'handoff')(column, delimiter)) }}
{%- endmacro %}

{#- PostgreSQL (and DuckDB, where string_to_array aliases string_split). -#}
{% macro default__split_to_rows(column, delimiter) -%}
    unnest(string_to_array({{ column }}, {{ delimiter }}))
{%- endmacro %}

{% macro duckdb__split_to_rows(column, delimiter) -%}
    unnest(string_split({{ column }}, {{ delimiter }}))
{%- endmacro %}

{#- Spark: split takes a regular expression, so the delimiter is quoted. -#}
{% macro spark__split_to_rows(column, delimiter) -%}
    explode(split({{ column }}, concat('\\Q', {{ delimiter }}, '\\E')))
{%- endmacro %}
