{#-
    A data test fails with its name and row count only. For a test whose failing
    rows carry a `problem` sentence (e.g. `sla_policy_is_sound`), this prints each
    sentence in the run's output as `problem: <sentence>` (`handoff run` repeats
    them under its error), so the person who edited a seed reads what is wrong
    without querying the failures. Runs the query only while `dbt build` or
    `dbt test` executes the test (not at parse, compile or docs), and renders to
    nothing: call it beside the test's own SQL.
-#}
{% macro log_problems(failing_rows_sql, max_problems=20) -%}
    {%- if execute and flags.WHICH in ('build', 'test') -%}
        {%- set result = run_query(
            'select problem from (' ~ failing_rows_sql ~ ') as failing_rows order by problem'
        ) -%}
        {%- for row in result.rows[:max_problems] -%}
            {%- do log('problem: ' ~ row[0], info=True) -%}
        {%- endfor -%}
        {%- if result.rows | length > max_problems -%}
            {%- do log('problem: … and ' ~ (result.rows | length - max_problems) ~ ' more', info=True) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
