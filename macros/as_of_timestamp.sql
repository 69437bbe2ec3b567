{#-
    The run's reference time (var `as_of`, docs/definitions.md, "Business time") as a
    naive UTC timestamp literal; when unset, the current time. Time-relative logic uses
    it instead of now() so reruns on the same data give the same result.
-#}
{% macro as_of_timestamp() -%}
    {%- set as_of = var('as_of', none) -%}
    {%- if as_of -%}
        cast('{{ as_of }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }})
    {%- endif -%}
{%- endmacro %}
