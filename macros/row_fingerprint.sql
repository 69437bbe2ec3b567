{#-
    An md5 of a whole row of `relation_alias` (a table or CTE alias in scope), to tell
    whether a lead's identity or attributes changed between two runs. Dispatched:
    DuckDB and PostgreSQL cast the row to text, Spark serialises it as JSON.
-#}
{% macro row_fingerprint(relation_alias) -%}
    {{ return(adapter.dispatch('row_fingerprint', 'handoff')(relation_alias)) }}
{%- endmacro %}

{% macro default__row_fingerprint(relation_alias) -%}
    md5(cast({{ relation_alias }} as {{ dbt.type_string() }}))
{%- endmacro %}

{% macro spark__row_fingerprint(relation_alias) -%}
    md5(to_json(struct({{ relation_alias }}.*)))
{%- endmacro %}
