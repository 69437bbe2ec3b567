"""The pools lead attributes are drawn from: lead sources per CRM, industries,
countries, job titles, names, company names and HubSpot's employee bands."""

from __future__ import annotations

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

INDUSTRY_GOOD = ["Software", "SaaS", "Financial Services"]
INDUSTRY_POOR = [
    "Retail",
    "Manufacturing",
    "Healthcare",
    "Education",
    "Consulting",
    "Non-profit",
    "Government",
]
COUNTRY_GOOD = [("United States", 40), ("United Kingdom", 20), ("Brazil", 30), ("Germany", 10)]
COUNTRY_POOR = [
    ("France", 18),
    ("India", 16),
    ("Mexico", 16),
    ("Canada", 16),
    ("Australia", 10),
    ("Spain", 12),
    ("Portugal", 12),
]
TEAM_OF_COUNTRY = {
    "United States": "US",
    "Canada": "US",
    "Brazil": "BR",
    "Mexico": "BR",
    "Portugal": "BR",
}
TITLE_GOOD = [
    "Head of Marketing",
    "Head of Sales",
    "VP of Sales",
    "VP Marketing",
    "Director of Revenue Operations",
    "Sales Director",
    "Marketing Manager",
    "Sales Manager",
    "Growth Manager",
]
TITLE_POOR = [
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
