{#-
    A naive UTC timestamp → the naive wall-clock time in `tz` (an IANA name, as a
    SQL expression or quoted literal), DST-correct: the offset is the one in force
    at that instant. The inverse of local_to_utc.
-#}
{% macro utc_to_local(utc_ts, tz) -%}
    {{ return(adapter.dispatch('utc_to_local', 'handoff')(utc_ts, tz)) }}
{%- endmacro %}

{#- PostgreSQL (and every engine with its `at time zone` semantics): naive at
    time zone 'UTC' gives the instant, instant at time zone tz gives local time. -#}
{% macro default__utc_to_local(utc_ts, tz) -%}
    cast((({{ utc_ts }}) at time zone 'UTC') at time zone ({{ tz }}) as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- DuckDB (ICU): timezone(name, timestamp) reads a naive value as local to name;
    timezone(name, timestamptz) renders an instant as local to name. -#}
{% macro duckdb__utc_to_local(utc_ts, tz) -%}
    cast(timezone({{ tz }}, timezone('UTC', cast({{ utc_ts }} as timestamp))) as timestamp)
{%- endmacro %}

{#- Spark: timestamps are instants rendered in the session timezone; the pair is
    exact when spark.sql.session.timeZone is UTC (set it in the Spark profile). -#}
{% macro spark__utc_to_local(utc_ts, tz) -%}
    from_utc_timestamp({{ utc_ts }}, {{ tz }})
{%- endmacro %}
