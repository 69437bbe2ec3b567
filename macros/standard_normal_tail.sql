{#-
    P(Z > |x|) for a standard normal Z, as a double: half the two-sided p-value of a
    z statistic x (README, "Statistics"). No engine shares an error function (Spark
    and DuckDB have none), so this is Hart's double-precision rational approximation
    (Hart et al., Computer Approximations, 1968, algorithm 5666; as given by West,
    "Better approximations to cumulative normal functions", 2005): relative error
    near 1e-15 for |x| < 7.07, a continued fraction beyond, 0 beyond 37. Null when x
    is null.
-#}
{% macro standard_normal_tail(x) -%}
    {{ return(adapter.dispatch('standard_normal_tail', 'handoff')(x)) }}
{%- endmacro %}

{% macro default__standard_normal_tail(x) -%}
    {%- set double = type_double() -%}
    {%- set a = 'abs(cast(' ~ x ~ ' as ' ~ double ~ '))' -%}
    {%- set numerator = [
        '3.52624965998911e-02', '0.700383064443688', '6.37396220353165', '33.912866078383',
        '112.079291497871', '221.213596169931', '220.206867912376',
    ] -%}
    {%- set denominator = [
        '8.83883476483184e-02', '1.75566716318264', '16.064177579207', '86.7807322029461',
        '296.564248779674', '637.333633378831', '793.826512519948', '440.413735824752',
    ] -%}
    {#- both polynomials in Horner form, highest power first -#}
    {%- set top = namespace(expr='cast(' ~ numerator[0] ~ ' as ' ~ double ~ ')') -%}
    {%- for c in numerator[1:] -%}
        {%- set top.expr = '(' ~ top.expr ~ ' * ' ~ a ~ ' + cast(' ~ c ~ ' as ' ~ double ~ '))' -%}
    {%- endfor -%}
    {%- set bottom = namespace(expr='cast(' ~ denominator[0] ~ ' as ' ~ double ~ ')') -%}
    {%- for c in denominator[1:] -%}
        {%- set bottom.expr = '(' ~ bottom.expr ~ ' * ' ~ a ~ ' + cast(' ~ c ~ ' as ' ~ double ~ '))' -%}
    {%- endfor -%}
    cast(
        case
            when {{ a }} > 37 then 0
            when {{ a }} < 7.07106781186547
                then exp(-{{ a }} * {{ a }} / 2) * {{ top.expr }} / {{ bottom.expr }}
            else exp(-{{ a }} * {{ a }} / 2) / (
                {{ a }} + 1 / ({{ a }} + 2 / ({{ a }} + 3 / ({{ a }} + 4 / ({{ a }} + cast(0.65 as {{ double }})))))
            ) / cast(2.506628274631 as {{ double }})
        end as {{ double }}
    )
{%- endmacro %}
