{{ config(meta={'dagster': {'ref': {'name': 'fct_handoffs'}}}) }}
-- Every result depends only on the as-of (README, "Business time"): no event the
-- marts report happened after it. Deadlines and clock starts may lie ahead, so they
-- are not listed; every other timestamp column of a mart is (tests/unit/test_rule_homes.py
-- keeps this list complete).
{%- set checked_columns = [
    ('fct_handoffs', 'handoff_at'),
    ('fct_handoffs', 'first_touch_at'),
    ('fct_handoffs', 'disposition_at'),
    ('fct_handoffs', 'sql_at'),
    ('fct_handoffs', 'opportunity_at'),
    ('fct_handoffs', 'customer_at'),
    ('fct_handoffs', 'assigned_at'),
    ('fct_lifecycle_transitions', 'transitioned_at'),
    ('fct_lead_funnel', 'created_at'),
    ('fct_lead_funnel', 'mql_at'),
    ('fct_lead_funnel', 'sql_at'),
    ('fct_lead_funnel', 'opportunity_at'),
    ('fct_lead_funnel', 'customer_at'),
    ('fct_lead_funnel', 'disqualified_at'),
    ('fct_lead_funnel', 'recycled_at'),
    ('dim_leads', 'created_at'),
    ('dim_offers', 'first_touched_at'),
    ('dim_offers', 'last_touched_at'),
    ('fct_handoffs', 'as_of_at'),
    ('rpt_open_sla_breaches', 'handoff_at'),
    ('rpt_open_sla_breaches', 'as_of_at'),
] %}

{% for model, column in checked_columns %}
    select
        '{{ model }}.{{ column }}' as checked_column,
        cast({{ column }} as {{ dbt.type_timestamp() }}) as event_at

    from {{ ref(model) }}

    where {{ column }} > {{ as_of_timestamp() }}
    {% if not loop.last %}union all{% endif %}
{% endfor %}
