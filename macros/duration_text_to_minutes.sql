{#-
    Minutes in a CRM duration text: `HH:mm:ss` (HubSpot UI exports, hours may
    exceed 24) or milliseconds (HubSpot's API). Null stays null.
-#}
{% macro duration_text_to_minutes(expression) -%}
    cast(
        case
            when {{ expression }} like '%:%'
                then cast({{ dbt.split_part(expression, "':'", 1) }} as {{ type_double() }}) * 60
                + cast({{ dbt.split_part(expression, "':'", 2) }} as {{ type_double() }})
                + cast({{ dbt.split_part(expression, "':'", 3) }} as {{ type_double() }}) / 60
            else cast({{ expression }} as {{ type_double() }}) / 60000
        end as {{ type_double() }}
    )
{%- endmacro %}
