{#-
    Fails on every value of a proportion column of `model` outside [0, 1]. The
    proportion columns are found in the built relation itself, by name: a rate or a
    share (`*_rate`, `*_share`, `*_share_so_far`), either bound of their intervals
    (`*_ci_low`, `*_ci_high`) and a probability (`probability_*`) — so a column added later is
    covered without a line of yml. Nulls pass (no denominator, no rate). One test per
    mart instead of one per column.
-#}
{% test proportions_in_unit_interval(model) %}

{%- set names = [] -%}
{%- for column in adapter.get_columns_in_relation(model) -%}
    {%- set name = column.name | lower -%}
    {%- set rate = name[:-7] if name.endswith('_ci_low') else (name[:-8] if name.endswith('_ci_high') else name) -%}
    {%- set rate = rate[:-7] if rate.endswith('_so_far') else rate -%}
    {%- if rate.endswith('_rate') or rate.endswith('_share') or name.startswith('probability_') -%}
        {%- do names.append(column.name) -%}
    {%- endif -%}
{%- endfor %}

{%- if names %}
    {%- for name in names %}
    select
        '{{ name }}' as column_name,
        cast({{ adapter.quote(name) }} as {{ dbt.type_float() }}) as value
    from {{ model }}
    where {{ adapter.quote(name) }} < 0 or {{ adapter.quote(name) }} > 1
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_float() }}) as value
    from {{ model }}
    where 1 = 0
{%- endif %}

{% endtest %}
