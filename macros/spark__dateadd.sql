{#-
    dbt.dateadd on Spark. dbt-spark's own multiplies the interval unparenthesised
    (`cast(a - b * 60 as int)` for `a - b` minutes), so an expression interval is
    computed wrong, and it goes through unix seconds. Spark's timestampadd adds
    calendar units exactly (in the session time zone, UTC in the profile).
    dbt dispatches dateadd to the root project's spark__ macro first.
-#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) %}
    timestampadd({{ datepart }}, cast(({{ interval }}) as bigint), {{ from_date_or_timestamp }})
{% endmacro %}
