{#-
    A naive wall-clock timestamp in `tz` (an IANA name, as a SQL expression or
    quoted literal) → the naive UTC timestamp of that instant, DST-correct. Local
    times that do not exist or occur twice around a DST change resolve as the
    engine does; business windows (09:00–18:00) never fall on them.
    The inverse of utc_to_local.
-#}
{% macro local_to_utc(local_ts, tz) -%}
    {{ return(adapter.dispatch('local_to_utc', 'handoff')(local_ts, tz)) }}
{%- endmacro %}

{#- PostgreSQL: naive at time zone tz gives the instant, instant at time zone
    'UTC' gives the naive UTC value. -#}
{% macro default__local_to_utc(local_ts, tz) -%}
    cast((({{ local_ts }}) at time zone ({{ tz }})) at time zone 'UTC' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro duckdb__local_to_utc(local_ts, tz) -%}
    cast(timezone('UTC', timezone({{ tz }}, cast({{ local_ts }} as timestamp))) as timestamp)
{%- endmacro %}

{#- Spark: exact when spark.sql.session.timeZone is UTC. -#}
{% macro spark__local_to_utc(local_ts, tz) -%}
    to_utc_timestamp({{ local_ts }}, {{ tz }})
{%- endmacro %}
