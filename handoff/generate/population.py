"""The pools lead attributes are drawn from: lead sources per CRM, industries,
countries, job titles, names, company names and HubSpot's employee bands; which of
them fit is the seeds' (:func:`fit_pools`)."""

from __future__ import annotations

from dataclasses import dataclass

from handoff.generate.rules import Rules, SeedsMismatch

HS_INBOUND = [
    ("ORGANIC_SEARCH", 30),
    ("PAID_SEARCH", 20),
    ("SOCIAL_MEDIA", 12),
    ("REFERRALS", 10),
    ("DIRECT_TRAFFIC", 15),
    ("EMAIL_MARKETING", 13),
]
SF_INBOUND = [("Web", 45), ("Webinar", 20), ("Partner Referral", 15), ("Content Download", 20)]
SF_OUTBOUND = [("Cold Call", 30), ("Purchased List", 35), ("Outbound Prospecting", 35)]
SF_SOURCE_FOR_HUBSPOT = {
    "ORGANIC_SEARCH": "Web",
    "PAID_SEARCH": "Web",
    "SOCIAL_MEDIA": "Web",
    "REFERRALS": "Partner Referral",
    "DIRECT_TRAFFIC": "Web",
    "EMAIL_MARKETING": "Content Download",
    "OFFLINE": "Purchased List",
}
HS_DRILL_DOWN = {
    "ORGANIC_SEARCH": "google",
    "PAID_SEARCH": "google",
    "SOCIAL_MEDIA": "linkedin",
    "REFERRALS": "g2.com",
    "DIRECT_TRAFFIC": "Unknown",
    "EMAIL_MARKETING": "newsletter",
}

# Industries, countries (with their pick weights) and job titles leads come with. The
# ones seeds/fit_rules.csv names are the fit ones (a fit value the seed adds that is not
# listed here is drawn too, country weight 10); the rest are drawn for the others.
INDUSTRY_POOR = [
    "Retail",
    "Manufacturing",
    "Healthcare",
    "Education",
    "Consulting",
    "Non-profit",
    "Government",
]
COUNTRY_WEIGHTS = {
    "United States": 40,
    "United Kingdom": 20,
    "Brazil": 30,
    "Germany": 10,
    "France": 18,
    "India": 16,
    "Mexico": 16,
    "Canada": 16,
    "Australia": 10,
    "Spain": 12,
    "Portugal": 12,
}
# Which sales team serves a country (the rest: OTHER_COUNTRIES_TEAM).
TEAM_OF_COUNTRY = {
    "United States": "Sales US East",
    "Canada": "Sales US East",
    "Brazil": "Sales Brazil",
    "Mexico": "Sales Brazil",
    "Portugal": "Sales Brazil",
}
OTHER_COUNTRIES_TEAM = "Sales UK"
TITLES = [
    "Head of Marketing",
    "Head of Sales",
    "VP of Sales",
    "VP Marketing",
    "Director of Revenue Operations",
    "Sales Director",
    "Marketing Manager",
    "Sales Manager",
    "Growth Manager",
    "Analyst",
    "Marketing Coordinator",
    "Student",
    "Intern",
    "Software Engineer",
    "Consultant",
    "Founder",
    "Sales Representative",
]
FIRST_NAMES = (
    "James Maria Pedro Julia Oliver Sarah Lucas Laura Ethan Camila Noah Beatriz Liam Emily "
    "Mateus Hannah Rafael Chloe Gabriel Lena Daniel Sofia Thomas Isabela Leon Amelia Felipe "
    "Grace Jonas Mariana Henry Alice Samuel Clara Arthur Olivia Miguel Anna David Leticia"
).split()
LAST_NAMES = (
    "Smith Silva Johnson Santos Williams Oliveira Brown Souza Jones Pereira Miller Costa Davis "
    "Rodrigues Garcia Almeida Wilson Nascimento Taylor Lima Anderson Araujo Thomas Fernandes "
    "Moore Carvalho Martin Gomes Jackson Martins Mueller Schmidt Schneider Fischer Weber Meyer "
    "Evans Wright Walker Hughes"
).split()
COMPANY_A = (
    "Blue North Bright Silver Green Rapid Clear Prime Nova Summit Iron Golden Urban Atlas "
    "Vector Quantum Cedar Harbor Orbit Pixel"
).split()
COMPANY_B = (
    "Harbor Labs Systems Works Cloud Data Logic Metrics Partners Bridge Stack Signal Forge "
    "Path Wave Point Grid Scale Loop Field"
).split()
COMPANY_SUFFIX = ["Inc", "Ltd", "GmbH", "Ltda", "LLC", "Group", "Co"]
EMPLOYEE_BANDS = [
    (5, "1-5"),
    (25, "5-25"),
    (50, "25-50"),
    (100, "50-100"),
    (500, "100-500"),
    (1000, "500-1000"),
]


@dataclass(frozen=True)
class FitPools:
    """The values a fit lead (``*_good``) and any other lead (``*_poor``) is drawn from."""

    industry_good: list[str]
    industry_poor: list[str]
    country_good: list[tuple[str, float]]
    country_poor: list[tuple[str, float]]
    title_good: list[str]
    title_poor: list[str]


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def fit_pools(rules: Rules) -> FitPools:
    """Split the pools by seeds/fit_rules.csv, as ``int_lead_attributes`` scores."""
    industries = _unique(rules.fit_values("industry") + INDUSTRY_POOR)
    countries = _unique(rules.fit_values("country") + list(COUNTRY_WEIGHTS))
    pools = FitPools(
        industry_good=[i for i in industries if rules.fits("industry", i)],
        industry_poor=[i for i in industries if not rules.fits("industry", i)],
        country_good=[
            (c, COUNTRY_WEIGHTS.get(c, 10)) for c in countries if rules.fits("country", c)
        ],
        country_poor=[
            (c, COUNTRY_WEIGHTS.get(c, 10)) for c in countries if not rules.fits("country", c)
        ],
        title_good=[t for t in TITLES if rules.fits("job_title", t)],
        title_poor=[t for t in TITLES if not rules.fits("job_title", t)],
    )
    for name, values in vars(pools).items():
        if not values:
            raise SeedsMismatch(
                f"seeds/fit_rules.csv leaves the sample no {name.replace('_', ' ')} value"
            )
    return pools
