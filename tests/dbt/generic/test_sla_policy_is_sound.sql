{#-
    The SLA policy seed as the models read it (`int_handoffs`,
    `fct_marketing_sla_weekly`): the row in force is the latest `effective_from`
    on or before the moment, a segment's own row before `*`. Fails, with one
    `problem` sentence per failing row (printed by `log_problems`), on
    - two rows for the same segment and `effective_from` (the models would keep
      one by `policy_id` and ignore the other);
    - a negative target, deadline or window, or a good-fit share outside [0, 1]
      (a 0-hour first touch is allowed);
    - a row that only takes effect after the run's as-of for a segment that no
      earlier row covers (its handoffs would have no SLA and drop out).
    Rows are named by `policy_id` and, on DuckDB, their line in the CSV.
-#}
{% test sla_policy_is_sound(model) %}

{%- set measures = [
    'marketing_weekly_mql_target',
    'marketing_min_good_fit_share',
    'sales_first_touch_business_hours',
    'sales_disposition_business_days',
    'conversion_window_days',
] -%}
{%- set as_of_text = as_of_text() or 'now' -%}

{% set failing_rows %}
with

policy_rows as (

    select * from {{ model }}

),

seed_lines as (

    {{ seed_lines(model, ['policy_id', 'segment', 'effective_from']) }}

),

policies as (

    select
        policy_rows.*,
        policy_rows.policy_id
        || coalesce(' (line ' || seed_lines.lines || ')', '') as row_label

    from policy_rows

    left join seed_lines
        on
            policy_rows.policy_id = seed_lines.policy_id
            and policy_rows.segment = seed_lines.segment
            and cast(policy_rows.effective_from as {{ dbt.type_string() }}) = seed_lines.effective_from

),

overlapping as (

    select
        first_row.policy_id,
        first_row.segment,
        first_row.effective_from,
        'sla_policy rows ' || first_row.row_label || ' and ' || second_row.row_label
        || ' both apply to segment ' || first_row.segment || ' from '
        || cast(first_row.effective_from as {{ dbt.type_string() }})
        || ': keep one of them' as problem

    from policies as first_row

    inner join policies as second_row
        on
            first_row.segment = second_row.segment
            and first_row.effective_from = second_row.effective_from
            and first_row.policy_id < second_row.policy_id

),

repeated as (

    select
        policy_id,
        segment,
        effective_from,
        'sla_policy row ' || row_label || ' is listed ' || cast(count(*) as {{ dbt.type_string() }})
        || ' times for segment ' || segment || ' from '
        || cast(effective_from as {{ dbt.type_string() }}) || ': keep one of them' as problem

    from policies

    group by policy_id, segment, effective_from, row_label

    having count(*) > 1

),

out_of_range as (

    {%- for measure in measures %}
    select
        policy_id,
        segment,
        effective_from,
        'sla_policy row ' || row_label || ' has {{ measure }} '
        || cast({{ measure }} as {{ dbt.type_string() }})
        || '{{ ", not a share in [0, 1]" if measure.endswith("_share") else ", below 0" }}' as problem

    from policies

    where
        {{ measure }} < 0
        {%- if measure.endswith('_share') %}
        or {{ measure }} > 1
        {%- endif %}

    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

in_force as (

    -- segments some row covers at the as-of (`*` covers every segment)
    select segment

    from policies

    where cast(effective_from as {{ dbt.type_timestamp() }}) <= {{ as_of_timestamp() }}

    group by segment

),

future_only as (

    select
        policies.policy_id,
        policies.segment,
        policies.effective_from,
        'sla_policy row ' || policies.row_label || ' takes effect on '
        || cast(policies.effective_from as {{ dbt.type_string() }})
        || ', after the as-of ({{ as_of_text }}), and no earlier row covers segment '
        || policies.segment || ': its handoffs would have no SLA' as problem

    from policies

    left join in_force as own_segment
        on policies.segment = own_segment.segment

    left join in_force as every_segment
        on every_segment.segment = '*'

    where
        cast(policies.effective_from as {{ dbt.type_timestamp() }}) > {{ as_of_timestamp() }}
        and own_segment.segment is null
        and every_segment.segment is null

)

select * from overlapping
union all
select * from repeated
union all
select * from out_of_range
union all
select * from future_only
{% endset %}

{{- log_problems(failing_rows) }}
{{ failing_rows }}

{% endtest %}
