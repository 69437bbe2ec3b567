{#-
    Fails on the nulls of the columns `column_names` of `model`: one result row per
    column that holds any, with how many (`null_rows`), and the test's failure count
    is the number of null values. The same rule as dbt's `not_null` on each of those
    columns, in one scan and one dbt node per model instead of one per column — with
    hundreds of required columns, dbt's per-test overhead was most of a small build
    (README, "Publishing, audit and schedules"). Keys keep their own `unique` and
    `not_null`; tests/unit/test_rule_homes.py keeps the lists consistent.
-#}
{% test not_null_columns(model, column_names) %}

{{ config(fail_calc='coalesce(sum(null_rows), 0)') }}

with

null_counts as (

    select
        {%- for name in column_names %}
        sum(case when {{ name }} is null then 1 else 0 end) as null_rows_{{ loop.index }}
        {{- "," if not loop.last }}
        {%- endfor %}
    from {{ model }}

)

{% for name in column_names %}
select
    '{{ name }}' as column_name,
    null_rows_{{ loop.index }} as null_rows
from null_counts
where null_rows_{{ loop.index }} > 0
{% if not loop.last %}union all{% endif %}
{%- endfor %}

{% endtest %}
