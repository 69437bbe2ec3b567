{#-
    Use a model's custom schema as-is (`staging`, `marts`), not dbt's default
    `<target schema>_<custom schema>`: BI tools and the serving copy address the
    marts as `marts.<model>` on every target. Nodes without a custom schema land in
    the target's schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
