{#-
    The run's reference time (docs/definitions.md, "As-of") as text, or none when
    unset: var `as_of` when a dbt command gives one (`--vars`, a unit test's
    overrides), else the environment's HANDOFF_AS_OF, which `handoff` sets for every
    dbt command it runs.
    The environment is read only when executing, never while dbt parses: the as-of
    is a runtime value that changes every run, and neither a var (any change of
    `--vars` makes dbt parse the whole project again) nor an env_var read at parse
    time (dbt parses again every file that read it) may tie the parse to it.
-#}
{% macro as_of_text() -%}
    {%- set as_of = var('as_of', none) -%}
    {%- if not as_of and execute -%}
        {%- set as_of = env_var('HANDOFF_AS_OF', '') -%}
    {%- endif -%}
    {{- return(as_of or none) -}}
{%- endmacro %}

{#-
    The run's reference time (as_of_text above) as a naive UTC timestamp literal; when
    unset, the current time. Time-relative logic uses it instead of now() so reruns on
    the same data give the same result.
-#}
{% macro as_of_timestamp() -%}
    {%- set as_of = as_of_text() -%}
    {%- if as_of -%}
        cast('{{ as_of }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }})
    {%- endif -%}
{%- endmacro %}
