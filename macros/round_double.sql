{#-
    A double rounded to `digits` decimals, as a double. Dispatched: PostgreSQL has
    round(numeric, int) only, so its version rounds through numeric.
-#}
{% macro round_double(expression, digits) -%}
    {{ return(adapter.dispatch('round_double', 'handoff')(expression, digits)) }}
{%- endmacro %}

{% macro default__round_double(expression, digits) -%}
    cast(round({{ expression }}, {{ digits }}) as {{ type_double() }})
{%- endmacro %}

{% macro postgres__round_double(expression, digits) -%}
    cast(round(cast({{ expression }} as numeric), {{ digits }}) as {{ type_double() }})
{%- endmacro %}
