{#-
    One bound of the 95 % Wilson score interval of a proportion `successes` /
    `trials` (README, "Statistics"): `bound` is 'low' or 'high'. With p̂ the
    observed share, n the trials and z = 1.959963984540054 (the normal 97.5 %
    quantile):

        (p̂ + z²/2n ∓ z·√(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n)

    Null when `trials` is 0 (or null). The bounds lie in [0, 1] by construction: the
    low bound of 0 successes is exactly 0 and the high bound of all is exactly 1, and
    clamping removes any other floating-point noise. All arithmetic is in
    doubles (Spark would otherwise read the literals as decimals and PostgreSQL
    would divide integers).
-#}
{% macro wilson_interval(successes, trials, bound) -%}
    {{ return(adapter.dispatch('wilson_interval', 'handoff')(successes, trials, bound)) }}
{%- endmacro %}

{% macro default__wilson_interval(successes, trials, bound) -%}
    {%- if bound not in ('low', 'high') -%}
        {{ exceptions.raise_compiler_error("wilson_interval: bound must be 'low' or 'high', got " ~ bound) }}
    {%- endif -%}
    {%- set double = type_double() -%}
    {%- set n = 'cast(' ~ trials ~ ' as ' ~ double ~ ')' -%}
    {%- set p = '(cast(' ~ successes ~ ' as ' ~ double ~ ') / ' ~ n ~ ')' -%}
    {%- set z = 'cast(1.959963984540054 as ' ~ double ~ ')' -%}
    {%- set sign = '-' if bound == 'low' else '+' -%}
    cast(
        case
            when {{ trials }} is null or {{ trials }} <= 0 then null
            {#- the exact bound at the edges, where the formula leaves rounding noise -#}
            {%- if bound == 'low' %}
            when {{ successes }} = 0 then 0
            {%- else %}
            when {{ successes }} = {{ trials }} then 1
            {%- endif %}
            else least(
                cast(1 as {{ double }}),
                greatest(
                    cast(0 as {{ double }}),
                    (
                        {{ p }} + {{ z }} * {{ z }} / (2 * {{ n }})
                        {{ sign }} {{ z }} * sqrt(
                            {{ p }} * (1 - {{ p }}) / {{ n }}
                            + {{ z }} * {{ z }} / (4 * {{ n }} * {{ n }})
                        )
                    ) / (1 + {{ z }} * {{ z }} / {{ n }})
                )
            )
        end as {{ double }}
    )
{%- endmacro %}
