{#-
    The 8-byte floating point type, for casts in models: `double precision` (SQL
    standard: DuckDB, PostgreSQL, Snowflake …), `double` on Spark, whose parser
    rejects `double precision`. dbt.type_float() is no substitute: it is the 4-byte
    `float` on DuckDB.
-#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'handoff')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}
