{#-
    The CSV line numbers of a seed's rows, so that a test can name the line to fix:
    a query with the seed's `key_columns` (as trimmed text) and `lines` (`3`, or
    `3, 9` when the key repeats), line 1 being the header. Only DuckDB reads the
    project's CSV from SQL (`read_csv`); elsewhere (PostgreSQL's server may not see
    the file, Spark's reader gives no line order) it returns no rows and tests name
    the row by its key alone. Counts one line per record (seeds here hold no
    quoted line breaks).
-#}
{% macro seed_lines(seed, key_columns) -%}
    {{ return(adapter.dispatch('seed_lines', 'handoff')(seed, key_columns)) }}
{%- endmacro %}

{% macro default__seed_lines(seed, key_columns) -%}
    select
        {%- for column in key_columns %}
        cast({{ column }} as {{ dbt.type_string() }}) as {{ column }},
        {%- endfor %}
        cast(null as {{ dbt.type_string() }}) as lines
    from {{ seed }}
    where 1 = 0
{%- endmacro %}

{% macro duckdb__seed_lines(seed, key_columns) -%}
    {%- set node = none -%}
    {%- if execute -%}
        {%- set node = graph.nodes.values()
            | selectattr('resource_type', 'equalto', 'seed')
            | selectattr('alias', 'equalto', seed.identifier)
            | first -%}
    {%- endif -%}
    {%- if not node -%}
        {{ return(default__seed_lines(seed, key_columns)) }}
    {%- endif -%}
    {%- set path = (node.root_path ~ '/' ~ node.original_file_path) | replace("'", "''") -%}
    select
        {%- for column in key_columns %}
        trim({{ column }}) as {{ column }},
        {%- endfor %}
        string_agg(cast(line as varchar), ', ' order by line) as lines
    from (
        select
            *,
            row_number() over () + 1 as line
        from read_csv('{{ path }}', header = true, all_varchar = true)
    ) as csv_rows
    group by all
{%- endmacro %}
