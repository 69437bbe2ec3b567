{#-
    Fails on every combination of the given columns that occurs more than once:
    the primary-key test of models keyed by several columns (events such as form
    submissions). Written here because hub packages (dbt_utils) cannot be fetched.
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with

duplicated_combinations as (

    select
        {%- for column in combination_of_columns %}
        {{ column }},
        {%- endfor %}
        count(*) as row_count

    from {{ model }}

    group by
        {%- for column in combination_of_columns %}
        {{ column }}{{ "," if not loop.last }}
        {%- endfor %}

    having count(*) > 1

)

select * from duplicated_combinations

{% endtest %}
