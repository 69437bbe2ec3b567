{#- A predicate that keeps a staging model's rows only when its CRM is enabled
    (vars `hubspot_enabled`, `salesforce_enabled`). A disabled CRM's staging models
    still exist, empty, so the CRM-agnostic intermediate models compile and build
    for a company that uses one CRM only. -#}
{% macro crm_enabled(crm) -%}
    {%- if var(crm ~ '_enabled', true) -%} (1 = 1) {%- else -%} (1 = 0) {%- endif -%}
{%- endmacro %}
