{#-
    Use a model's custom schema as-is (`staging`, `marts`), not dbt's default
    `<target schema>_<custom schema>`: BI tools and the serving copy address the
    marts as `marts.<model>` on every target. Nodes without a custom schema land in
    the target's schema.

    Write–audit–publish: on PostgreSQL and Spark, where BI reads the warehouse
    itself, the marts are built into `marts__build` (the var `marts_build_schema`)
    and only a passed audit makes them `marts` (README, "Publishing, audit and
    schedules"). On DuckDB BI reads the serving file, so the build database keeps
    `marts`.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif custom_schema_name | trim == 'marts' and target.type in ('postgres', 'spark') -%}
        {{ var('marts_build_schema', 'marts__build') }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
