{#-
    A URL without its query string and fragment: scheme, host and path only
    (`https://ex.com/thanks?email=…&name=…#top` → `https://ex.com/thanks`). Form
    pages carry the submitter's e-mail, name and phone, and tracking ids, in
    their query; none of it may reach a mart. Built on `dbt.split_part` (literal
    delimiters on every engine; dbt-spark escapes them for its regex `split`), so
    the same SQL runs on DuckDB, PostgreSQL and Spark. Empty results become null.
-#}
{% macro url_without_query(url) -%}
    nullif(
        {{ dbt.split_part(dbt.split_part(url, "'#'", 1), "'?'", 1) }},
        ''
    )
{%- endmacro %}
