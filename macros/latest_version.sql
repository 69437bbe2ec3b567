{#-
    The body of a staging model's `latest_versions` CTE: of the rows of `cte`
    (the model's renamed CTE, carrying the lineage columns loaded_at, batch_id and
    source_line), one per `partition_by` key, the latest version.

    Several batches may deliver the same record. The latest is the one with the
    newest `updated_at`, then the latest delivery (loaded_at, batch_id,
    source_line). A version without an `updated_at` (a deletion tombstone, an export
    lacking the column) ranks at the record's newest known `updated_at`, so that
    delivery order decides between it and the newest dated version. With
    `updated_at=none` (history and event extracts, which have no last-modified
    time) delivery order alone decides.

    With `is_deleted` (the default), a record whose latest version is deleted
    disappears; pass `is_deleted=none` for extracts without a deletion flag.

    Returns every column of `cte` plus `version_updated_at` (when `updated_at` is
    given) and `version_number`: the model's final CTE lists the columns it keeps.
    Plain window functions and derived tables only, so no dispatch: the same SQL
    runs on DuckDB, PostgreSQL and Spark.
-#}
{% macro latest_version(cte, partition_by, updated_at='updated_at', is_deleted='is_deleted') -%}
    {%- set partition = partition_by | join(', ') -%}
    select *
    from (
        select
            *,
            row_number() over (
                partition by {{ partition }}
                order by
                    {%- if updated_at %}
                    version_updated_at desc,
                    {%- endif %}
                    loaded_at desc,
                    batch_id desc,
                    source_line desc
            ) as version_number
        {%- if updated_at %}
        from (
            select
                *,
                coalesce(
                    {{ updated_at }},
                    max({{ updated_at }}) over (partition by {{ partition }})
                ) as version_updated_at
            from {{ cte }}
        ) as versions
        {%- else %}
        from {{ cte }}
        {%- endif %}
    ) as versions_ranked
    where
        version_number = 1
        {%- if is_deleted %}
        and not {{ is_deleted }}
        {%- endif %}
{%- endmacro %}
