"""The leads: who they are (population, source, fit, company), when they arrive and
become MQL, and each handoff's first touch, disposition and conversion, then the
opportunity and its outcome; ``finish_people`` adds ids, owners and deletions."""

from __future__ import annotations

import duckdb

from handoff.generate.company import OFFERS, WEBINAR_OFFER, Company
from handoff.generate.handoffs import handoff_table
from handoff.generate.period import PERIOD_START
from handoff.generate.population import (
    COMPANY_A,
    COMPANY_B,
    COMPANY_SUFFIX,
    EMPLOYEE_BANDS,
    FIRST_NAMES,
    HS_DRILL_DOWN,
    HS_INBOUND,
    LAST_NAMES,
    OTHER_COUNTRIES_TEAM,
    SF_INBOUND,
    SF_OUTBOUND,
    SF_SOURCE_FOR_HUBSPOT,
    TEAM_OF_COUNTRY,
    fit_pools,
)
from handoff.generate.rules import Rules, SeedsMismatch
from handoff.generate.sql import choose, lit, pick, sfid

# How fit moves the odds of SQL (f_fit) and of a won deal (f_win), per fit tier.
FIT_EFFECT = {"A": (1.45, 1.3), "B": (1.15, 1.1), "C": (0.75, 0.8), "D": (0.45, 0.6)}


def check_rules(rules: Rules) -> None:
    """Raise :class:`SeedsMismatch` when the fit seeds leave the sample nothing to draw."""
    fit_pools(rules)
    rules.employees_between()
    unknown = {tier for tier, _ in rules.fit_tiers} - set(FIT_EFFECT)
    if unknown:
        raise SeedsMismatch(
            f"seeds/fit_tiers.csv: the sample has no conversion effect for {unknown}"
        )


def create_people(con: duckdb.DuckDBPyConnection, n: int, rules: Rules, demo: Company) -> None:
    """Table ``p``: one row per lead, its attributes, fit, and both handoffs' first
    touch, disposition and conversion, the opportunity and its outcome."""
    start = f"timestamp '{PERIOD_START.isoformat()} 00:00:00'"

    def R(salt: str) -> str:
        return f"rnd(idx, '{salt}')"

    pools = fit_pools(rules)
    good_country = pick(R("country2"), pools.country_good)
    poor_country = pick(R("country2"), pools.country_poor)
    low, high = rules.employees_between()
    points = {
        "good_industry": rules.points("industry"),
        "good_employees": rules.points("employees", "employee_band"),
        "good_country": rules.points("country"),
        "good_title": rules.points("job_title"),
    }
    fit_points = " + ".join(
        f"{flag}::int" if p == 1 else f"{flag}::int * {p}" for flag, p in points.items()
    )
    tiers = rules.fit_tiers

    def by_tier(values: list[str]) -> str:
        whens = " ".join(
            f"when fit_points >= {low_points} then {value}"
            for (_, low_points), value in zip(tiers[:-1], values, strict=False)
        )
        return f"case {whens} else {values[-1]} end"

    fit_tier = by_tier([lit(tier) for tier, _ in tiers])
    f_fit = by_tier([str(FIT_EFFECT[tier][0]) for tier, _ in tiers])
    f_win = by_tier([str(FIT_EFFECT[tier][1]) for tier, _ in tiers])
    offer_choices = [(str(o), w) for o, _, w, *_ in OFFERS]
    band_case = " ".join(f"when employees <= {hi} then '{label}'" for hi, label in EMPLOYEE_BANDS)
    team_case = " ".join(f"when {lit(c)} then {lit(t)}" for c, t in TEAM_OF_COUNTRY.items())
    sync_src = " ".join(f"when {lit(h)} then {lit(s)}" for h, s in SF_SOURCE_FOR_HUBSPOT.items())
    drill = " ".join(f"when {lit(h)} then {lit(d)}" for h, d in HS_DRILL_DOWN.items())
    owner_pick = " ".join(
        f"when {lit(t)} then {js}[1 + least(floor({R('owner2')} * {len(js)}), {len(js) - 1})::int]"
        for t, js in demo.sdrs.items()
    )
    con.execute(
        f"""
        create table p0 as
        with base as (
            select range as idx,
                case when rnd(range, 'pop') < 0.30 then 'hs'
                     when rnd(range, 'pop') < 0.60 then 'sf' else 'sync' end as pop,
                rnd(range, 'inbound') < 0.65 as inbound,
                rnd(range, 'day') as u_day
            from range({n})
        ),
        dated as (
            select base.*, days.day
            from base asof join days on base.u_day >= days.cdf_lo
        ),
        attrs as (
            select idx, pop, inbound,
                {R("mql")} < case when inbound then 0.63 else 0.56 end as is_mql1,
                day + to_seconds(
                    case when {R("tod")} < 0.75 then 8 * 3600 + floor({R("tod2")} * 14 * 3600)
                         else floor({R("tod2")} * 86400) end::bigint
                ) as t_ref,
                case when not inbound then floor((3 + {R("lag2")} * 37) * 86400)
                     when {R("lag")} < 0.55 then floor((1 + {R("lag2")} * 4) * 60)
                     else floor(60 * 61 + rexp(idx, 'lag3') * 14 * 86400) end::bigint as lag_s,
                case when inbound then {pick(R("hs_src"), HS_INBOUND)} else 'OFFLINE' end as hs_src_raw,
                case when inbound then {pick(R("sf_src"), SF_INBOUND)}
                     else {pick(R("sf_src"), SF_OUTBOUND)} end as sf_src_raw,
                case when {R("drill")} < 0.6 then 'IMPORT' else 'CRM_UI' end as offline_drill,
                {R("fit_ind")} < case when inbound then 0.67 else 0.6 end as good_industry,
                {R("fit_emp")} < case when inbound then 0.67 else 0.6 end as good_employees,
                {R("fit_cty")} < case when inbound then 0.67 else 0.6 end as good_country,
                {R("fit_ttl")} < case when inbound then 0.67 else 0.6 end as good_title,
                {pick(R("offer0"), offer_choices)}::int as offer0_raw,
                {pick(R("offer1"), offer_choices)}::int as offer1_raw,
                {pick(R("offer2"), offer_choices)}::int as offer2_raw,
                {R("owner")} < 0.02 as no_owner,
                {choose(R("first"), FIRST_NAMES)} as first_name,
                {choose(R("last"), LAST_NAMES)} as last_name,
                {choose(R("ca"), COMPANY_A)} as company_a,
                {choose(R("cb"), COMPANY_B)} as company_b,
                {choose(R("cs"), COMPANY_SUFFIX)} as company_suffix
            from dated
        ),
        fit as (
            select *,
                case when good_industry then {choose(R("ind2"), pools.industry_good)}
                     else {choose(R("ind2"), pools.industry_poor)} end as industry,
                case when good_employees then {low} + floor(pow({R("emp2")}, 1.6) * {high - low})
                     when {R("emp3")} < 0.6 then 1 + floor({R("emp2")} * {low - 1})
                     else {high + 1} + floor(pow({R("emp2")}, 3) * 19000) end::integer as employees,
                case when good_country then {good_country} else {poor_country} end as country,
                case when good_title then {choose(R("ttl2"), pools.title_good)}
                     else {choose(R("ttl2"), pools.title_poor)} end as title,
                {fit_points} as fit_points
            from attrs
        ),
        people as (
            select *,
                {fit_tier} as fit_tier,
                {f_fit} as f_fit,
                {f_win} as f_win,
                case country {team_case} else {lit(OTHER_COUNTRIES_TEAM)} end as team,
                case when employees < 1000 then 'x' end as _unused,
                case when {R("cty_case")} < 0.1 and pop = 'sync' then true else false end as sf_email_upper
            from fit
        )
        select people.* exclude (_unused, hs_src_raw, sf_src_raw, offer0_raw, offer1_raw, offer2_raw, lag_s),
            case when is_mql1 then t_ref end as t_mql1,
            t_ref - to_seconds(case when is_mql1
                then least(lag_s, floor(epoch(t_ref - {start}) * {R("clip")})::bigint) else 0 end)
                as created_at,
            case when pop = 'sf' then null else hs_src_raw end as hs_source,
            case when pop = 'sf' then null
                 when hs_src_raw = 'OFFLINE' then offline_drill
                 else case hs_src_raw {drill} end end as hs_source_drill,
            case when pop = 'hs' then null
                 when pop = 'sync' then case hs_src_raw {sync_src} end
                 else sf_src_raw end as sf_source,
            case when not inbound then null
                 when pop = 'sf' and sf_src_raw = 'Webinar' then {WEBINAR_OFFER}
                 else offer0_raw end as offer0,
            case when inbound and is_mql1 and lag_s > 3600 then offer1_raw end as offer1,
            case when inbound then offer2_raw end as offer2_pick,
            case when no_owner then null else case team {owner_pick} end end as owner_j,
            case when employees <= 1000 then case {band_case} end else '1000+' end as employee_band,
            floor((2 + {R("sync_lag")} * 4) * 60)::bigint as sync_lag_s,
            -- routing delay: a quarter of inbound MQLs wait in a queue or with a marketer
            -- before their seller holds them (first handoff only)
            case when inbound and is_mql1 and not no_owner and {R("route")} < 0.25
                then least(floor(3600 * (0.25 + 8 * rexp(idx, 'route_lag'))), 259200)::bigint
                else 0 end as route_lag_s,
            case when pop = 'hs' or (pop = 'sf' and {R("route_via")} < 0.5)
                then 2 + least(floor({R("route_mkt")} * 2), 1)::int end as route_j,
            lower(company_a || company_b) || '.com' as domain,
            company_a || ' ' || company_b || ' ' || company_suffix as company
        from people
        """
    )

    # Handoff 1 and, for recycled leads that come back, handoff 2.
    handoff_table(con, rules, 1, "p0", "p1", "coalesce(p0.offer1, p0.offer0)")
    con.execute(
        f"""
        create table p2 as
        select p1.*,
            case when outcome1 = 'recycled' and {R("remql")} < 0.35
                 then disp1 + to_seconds(floor((21 + {R("remql2")} * 69) * 86400)::bigint) end as t_mql2
        from p1
        """
    )
    con.execute(
        "create table p2b as select p2.* exclude (offer2_pick), "
        "case when t_mql2 is not null then offer2_pick end as offer2 from p2"
    )
    handoff_table(con, rules, 2, "p2b", "p3", "p2b.offer2")
    con.execute(
        f"""
        create table p as
        with conv as (
            select p3.*,
                coalesce(conv1, conv2) as conv_at,
                case when conv1 is not null then 1 when conv2 is not null then 2 end as conv_h
            from p3
        ),
        won as (
            select conv.*,
                conv_at is not null
                    and {R("won")} < (case when inbound then 0.34 else 0.20 end) * f_win as is_won,
                case when conv_at is not null
                    then conv_at + to_seconds(floor((15 + {R("close")} * 105) * 86400)::bigint)
                end as close_at,
                round(exp(ln(8000) + 0.7 * rnorm(idx, 'amount')) * (1 + least(employees, 5000) / 1500.0), -2)
                    as amount,
                case pop when 'sf' then created_at
                         when 'sync' then case when is_mql1
                             then t_mql1 + to_seconds(sync_lag_s) end
                end as sf_created_at
            from conv
        ),
        last_event as (
            select won.*,
                greatest(created_at, t_mql1, act_end1, disp1, t_mql2, act_end2, disp2, conv_at, close_at)
                    as last_event_at
            from won
        )
        select last_event.*,
            case when {R("del")} < 0.0075 then last_event_at
                + to_seconds(floor((5 + {R("del2")} * 55) * 86400)::bigint) end as deleted_at_raw,
            lower(first_name) || '.' || lower(last_name) || idx || '@' || domain as email_raw,
            '+' || (case country when 'United States' then '1' when 'Canada' then '1'
                 when 'Brazil' then '55' when 'Mexico' then '52' when 'United Kingdom' then '44'
                 when 'Germany' then '49' when 'France' then '33' when 'India' then '91'
                 when 'Spain' then '34' when 'Portugal' then '351' else '61' end)
                || ' ' || (100000000 + floor({R("phone")} * 899999999)::bigint)::varchar as phone
        from last_event
        order by idx
        """
    )
    for t in ("p0", "p1", "p2", "p2b", "p3"):
        con.execute(f"drop table {t}")


def finish_people(
    con: duckdb.DuckDBPyConnection, demo: Company, first_cutoff: str, last_cutoff: str
) -> None:
    """Ids, owner columns and deletions (only between the first and the last cutoff, so a
    deleted record was delivered alive before)."""
    con.execute(
        f"""
        create table people as
        select p.* exclude (deleted_at_raw, email_raw),
            case when deleted_at_raw >= timestamp '{first_cutoff}'
                  and deleted_at_raw < timestamp '{last_cutoff}' then deleted_at_raw end as deleted_at,
            email_raw as email,
            case when sf_email_upper then upper(substr(email_raw, 1, 1)) || substr(email_raw, 2)
                 else email_raw end as sf_email,
            case when pop <> 'hs' then {sfid("00Q", "(idx + 1000)")} end as lead_id,
            case when pop <> 'sf' then (1001 + idx * 3)::varchar end as hs_contact_id,
            case when pop <> 'sf' then (7000001 + idx * 3)::varchar end as hs_company_id,
            case when conv_at is not null and pop <> 'hs' then {sfid("006", "(idx + 1000)")} end as opp_id,
            case when conv_at is not null and pop <> 'hs' then {sfid("003", "(idx + 1000)")} end as contact_id,
            case when conv_at is not null and pop <> 'hs' then {sfid("001", "(idx + 1000)")} end as account_id,
            case when conv_at is not null and pop = 'hs' then (9000001 + idx * 3)::varchar end as deal_id,
            u.sf_id as owner_sf, u.hs_id as owner_hs, u.full_name as owner_name,
            ae.sf_id as ae_sf, ae.hs_id as ae_hs,
            ru.sf_id as route_sf, ru.hs_id as route_hs,
            o.campaign_id as conv_campaign_id
        from p
        left join users as u on u.j = p.owner_j
        left join users as ru on ru.j = p.route_j
        left join users as ae on ae.j = (case p.team {" ".join(f"when {lit(t)} then {j}" for t, j in demo.aes.items())} end)
        left join offers as o on o.o = (case p.conv_h when 1 then coalesce(p.offer1, p.offer0)
                                                  when 2 then p.offer2 end)
        order by idx
        """
    )
    con.execute("drop table p")
