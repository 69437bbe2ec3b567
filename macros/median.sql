{#-
    The median of a numeric expression as an aggregate (use it like `sum`), the
    same value on every engine: DuckDB `median`, the SQL-standard ordered-set
    aggregate `percentile_cont(0.5) within group (order by …)` elsewhere
    (PostgreSQL, Snowflake …). Nulls are ignored; the median of an even count is
    the mean of the two middle values.
-#}
{% macro median(expr) -%}
    {{ return(adapter.dispatch('median', 'handoff')(expr)) }}
{%- endmacro %}

{% macro default__median(expr) -%}
    percentile_cont(0.5) within group (order by {{ expr }})
{%- endmacro %}

{% macro duckdb__median(expr) -%}
    median({{ expr }})
{%- endmacro %}

{#- Spark: percentile is exact (percentile_approx is not). -#}
{% macro spark__median(expr) -%}
    percentile({{ expr }}, 0.5)
{%- endmacro %}
