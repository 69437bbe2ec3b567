{#-
    An md5 of a whole row of `relation_alias` (a table or CTE alias in scope), to tell
    whether a lead's identity or attributes changed between two runs. Dispatched:
    PostgreSQL casts the row to text, Spark serialises it as JSON, DuckDB uses its
    own 64-bit hash of the row (a tenth of the cost of md5 of the text at 1 M leads;
    a collision would need two different rows of the same lead to hash alike).
-#}
{% macro row_fingerprint(relation_alias) -%}
    {{ return(adapter.dispatch('row_fingerprint', 'handoff')(relation_alias)) }}
{%- endmacro %}

{% macro default__row_fingerprint(relation_alias) -%}
    md5(cast({{ relation_alias }} as {{ dbt.type_string() }}))
{%- endmacro %}

{% macro duckdb__row_fingerprint(relation_alias) -%}
    cast(hash({{ relation_alias }}) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro spark__row_fingerprint(relation_alias) -%}
    md5(to_json(struct({{ relation_alias }}.*)))
{%- endmacro %}
