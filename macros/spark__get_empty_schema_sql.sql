{#-
    Contracts on Spark: the marts' YAML declares the portable type names DuckDB and
    PostgreSQL share (`varchar`, `double precision`), which Spark does not accept in
    a cast (`varchar` needs a length there). dbt checks a contract by casting null to
    each declared type, so on Spark the names are translated to Spark's own
    (`string`, `double`) first; everything else (`integer`, `bigint`, `boolean`,
    `date`, `timestamp`) Spark reads as declared. dbt dispatches
    get_empty_schema_sql to the root project's spark__ macro first.
-#}
{% macro spark__get_empty_schema_sql(columns) %}
    {%- set spark_names = {
        'varchar': 'string',
        'text': 'string',
        'character varying': 'string',
        'double precision': 'double',
    } -%}
    {%- set translated = {} -%}
    {%- for name, column in columns.items() -%}
        {%- set spark_column = {} -%}
        {%- do spark_column.update(column) -%}
        {%- if column.get('data_type') is not none -%}
            {%- set declared = column['data_type'] | trim | lower -%}
            {%- do spark_column.update({'data_type': spark_names.get(declared, column['data_type'])}) -%}
        {%- endif -%}
        {%- do translated.update({name: spark_column}) -%}
    {%- endfor -%}
    {{ return(default__get_empty_schema_sql(translated)) }}
{% endmacro %}
