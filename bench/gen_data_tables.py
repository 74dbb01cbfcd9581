"""The constants of bench/gen_data.py: dates, names, proportions, the tables' columns,
and the random helpers that draw exactly as random.Random's own methods.

A change here changes the generated data: keep it byte-identical for the same seed, or say
so (benchmark history depends on it; bench/eval.sh stamps datasets with these files' hash).
"""

import datetime as dt
import random
from bisect import bisect
from itertools import accumulate

D = dt.date
ORD = D.toordinal

BASE = ORD(D(1990, 1, 1))
TOP = ORD(D(2028, 12, 31))
DS = [D.fromordinal(o).isoformat() for o in range(BASE, TOP + 1)]  # ordinal - BASE -> "YYYY-MM-DD"

NY = ORD(D(2024, 1, 1))  # never used as an activity date
Y24S, Y24E = ORD(D(2024, 1, 2)), ORD(D(2024, 12, 31))
Y25S, Y25E = ORD(D(2025, 1, 1)), ORD(D(2025, 12, 31))
YEARS = ((2024, Y24S, Y24E), (2025, Y25S, Y25E))
DATA_END = Y25E
FAR = ORD(D(9999, 12, 31))
QUARTERS = []  # (year, quarter number, start ordinal, end ordinal)
for _y in (2024, 2025):
    for _q in range(4):
        _s = D(_y, 3 * _q + 1, 1)
        _e = D(_y + (_q == 3), 1 if _q == 3 else 3 * _q + 4, 1) - dt.timedelta(days=1)
        QUARTERS.append((_y, _q + 1, ORD(_s), ORD(_e)))
QIDX_BASE = NY
QIDX = [next(k for k, q in enumerate(QUARTERS) if q[2] <= o <= q[3]) for o in range(NY, Y25E + 1)]

INDUSTRIES = ["Manufacturing", "Healthcare", "Financial Services", "Retail", "Technology", "Energy",
              "Logistics", "Telecommunications"]
REGIONS = ["EMEA", "North America", "APAC", "LATAM"]
FIRST = ["Alice", "Ben", "Chen", "Dana", "Erik", "Fatima", "Gustavo", "Hana", "Ivan", "Julia", "Kofi", "Lena",
         "Marco", "Nadia", "Omar", "Priya", "Quentin", "Rosa", "Sven", "Tomoko"]
LAST = ["Moreau", "Carter", "Wei", "Okafor", "Lindqvist", "Haddad", "Silva", "Novak", "Petrov", "Schmidt",
        "Mensah", "Berg", "Rossi", "Karimi", "Farouk", "Sharma", "Dubois", "Garcia", "Nilsson", "Sato"]
NAME_A = ["Nordhaven", "Baltec", "Orrin", "Kessler", "Vantor", "Greyfield", "Lumen", "Atlas", "Medivance", "Corvid",
          "Helix", "Brightwell", "Quenby", "Solace", "Meridian", "Harbourline", "Cobalt", "Fenwick", "Ivory",
          "Northgate", "Sable", "Prism", "Keystone", "Marigold", "Pennyworth", "Larkspur", "Boxwood", "Tidewater",
          "Juniper", "Crescent", "Quasar", "Driftwood", "Ionic", "Pelican", "Redshift", "Lattice", "Emberline",
          "Corvus", "Aldric", "Halcyon"]
NAME_B = {"Manufacturing": ["Steelworks", "Machining", "Plastics", "Foundry", "Components", "Motors"],
          "Healthcare": ["Hospitals", "Clinics", "Labs", "Care Group", "Pharma", "Diagnostics"],
          "Financial Services": ["Bank", "Insurance", "Capital", "Trust", "Credit Union", "Payments"],
          "Retail": ["Stores", "Grocers", "Fashion", "Home", "Outfitters", "Markets"],
          "Technology": ["Systems", "Software", "Networks", "Cloud", "Analytics", "Devices"],
          "Energy": ["Power", "Renewables", "Utilities", "Grid", "Oil & Gas", "Solar"],
          "Logistics": ["Freight", "Shipping", "Logistics", "Transport", "Cargo", "Distribution"],
          "Telecommunications": ["Telecom", "Mobile", "Broadband", "Fibre", "Networks", "Connect"]}
LINES = ["Equipment", "Consumables", "Maintenance Services", "Software", "Training"]
MARGIN = {"Equipment": 0.28, "Consumables": 0.45, "Maintenance Services": 0.38, "Software": 0.72, "Training": 0.55}
LINE_WEIGHT = {"Equipment": 0.30, "Consumables": 0.25, "Maintenance Services": 0.20, "Software": 0.15, "Training": 0.10}
# share of an account's orders per product line (consumables are ordered often, equipment rarely)
ORDER_WEIGHT = {"Equipment": 0.08, "Consumables": 0.50, "Maintenance Services": 0.22, "Software": 0.08, "Training": 0.12}
ORDERS_PER_YEAR = {"strategic": (80, 115), "key": (52, 85), "developing": (34, 58)}  # over the adopted lines
INDUSTRY_GROWTH = {"Manufacturing": 1.08, "Healthcare": 1.15, "Financial Services": 0.96, "Retail": 1.03,
                   "Technology": 1.20, "Energy": 1.05, "Logistics": 1.00, "Telecommunications": 0.98}
WALLET = {"strategic": (2_000_000, 4_000_000), "key": (800_000, 2_000_000), "developing": (300_000, 800_000)}
DEAL = {"strategic": (60_000, 400_000), "key": (30_000, 200_000), "developing": (10_000, 80_000)}
TOUCH = {"strategic": (14, 20), "key": (9, 13), "developing": (5, 8)}
TICKETS = {"strategic": (8, 16), "key": (5, 10), "developing": (3, 7)}
CONTACTS = {"strategic": 8, "key": 5, "developing": 3}
STAGES = ["prospecting", "qualification", "proposal", "negotiation"]
PRIORITIES = ["low", "normal", "high", "urgent"]
SLA_HOURS = {"low": 24.0, "normal": 8.0, "high": 4.0, "urgent": 1.0}
RES_RANGE = {"urgent": (2, 24), "high": (4, 72), "normal": (8, 120), "low": (8, 240)}
PROSPECT_SOURCES = ["inbound", "referral", "event", "outbound"]
AM_COST = {"strategic": 9000, "key": 6000, "developing": 3500}

COLUMNS = {
    "accounts": ["account_id", "name", "industry", "region", "tier", "potential_band", "account_manager",
                 "is_key_account", "customer_since", "churned_on", "revenue_potential"],
    "orders": ["order_id", "account_id", "order_date", "product_line", "revenue", "cost", "discount"],
    "opportunities": ["opportunity_id", "account_id", "lead_id", "created_on", "closed_on", "stage", "status",
                      "qualified", "product_line", "amount"],
    "leads": ["lead_id", "account_id", "created_on", "source", "converted", "converted_on"],
    "touchpoints": ["touchpoint_id", "account_id", "held_on", "kind", "contact_id", "executive_involved", "attended"],
    "business_reviews": ["review_id", "account_id", "planned_for", "held_on"],
    "account_plans": ["plan_id", "account_id", "valid_from", "valid_to", "status", "objectives_set",
                      "objectives_met"],
    "surveys": ["survey_id", "account_id", "sent_on", "kind", "responded", "score"],
    "support_tickets": ["ticket_id", "account_id", "opened_on", "priority", "category", "first_response_hours",
                        "sla_response_hours", "resolved_on", "resolution_hours", "resolved_first_contact",
                        "escalated"],
    "contracts": ["contract_id", "account_id", "start_date", "end_date", "annual_value", "renewal_status",
                  "renewed_value"],
    "revenue_plans": ["plan_id", "account_id", "quarter_start", "target_revenue", "forecast_revenue"],
    "account_products": ["account_product_id", "account_id", "product_line", "annual_potential",
                         "first_purchased_on"],
    "service_costs": ["cost_id", "account_id", "booked_on", "cost_type", "amount"],
}
TF = ("false", "true")


# Dates the generator draws between (ordinals), computed once rather than per account.
D2023_09_01, D2023_12_20, D2023_12_31 = ORD(D(2023, 9, 1)), ORD(D(2023, 12, 20)), ORD(D(2023, 12, 31))
D2024_02_01, D2024_03_01 = ORD(D(2024, 2, 1)), ORD(D(2024, 3, 1))
D2024_10_31, D2024_11_30 = ORD(D(2024, 10, 31)), ORD(D(2024, 11, 30))
D2025_01_15, D2025_02_01 = ORD(D(2025, 1, 15)), ORD(D(2025, 2, 1))
D2025_11_30, D2025_12_01 = ORD(D(2025, 11, 30)), ORD(D(2025, 12, 1))

# Rows are written as joined text, not through csv.writer: that is only the same bytes
# while no cell needs quoting, so no text the generator picks from may hold one of these.
_TEXTS = (INDUSTRIES + REGIONS + FIRST + LAST + NAME_A + [b for v in NAME_B.values() for b in v] + LINES
          + STAGES + PRIORITIES + PROSPECT_SOURCES)
assert not any(c in t for t in _TEXTS for c in ',"\r\n'), "a generator text would need CSV quoting"


C2 = [f"{i:02d}" for i in range(100)]  # cents % 100 -> "00".."99" (a lookup is 2.5x an f-string's :02d)


def m(c):
    """Money from integer cents (never negative here) as a two-decimal string."""
    return f"{c // 100}.{C2[c % 100]}"


def cents(x):
    return int(x * 100 + 0.5)


def weighted(population, weights):
    """What `random.choices(population, weights)` computes on every call, computed once."""
    cum = list(accumulate(weights))
    return population, cum, cum[-1] + 0.0, len(cum) - 1, weights


def fast_draws(rng):
    """randint, uniform and one weighted choice drawing from `rng` exactly as Python 3.11's
    Random.randint, Random.uniform and Random.choices(k=1) do (same calls on the generator,
    same arithmetic), without their per-call argument checks: a third of the run time."""
    rnd = rng.random
    getrandbits = rng.getrandbits

    def randint(a, b):
        n = b - a + 1
        k = n.bit_length()
        r = getrandbits(k)
        while r >= n:
            r = getrandbits(k)
        return a + r

    def uniform(a, b):
        return a + (b - a) * rnd()

    def choice(w):
        return w[0][bisect(w[1], rnd() * w[2], 0, w[3])]

    return randint, uniform, choice


def library_draws(rng):
    """The same three helpers through `random`'s own methods."""
    return rng.randint, rng.uniform, lambda w: rng.choices(w[0], w[4])[0]


def draws(rng):
    """fast_draws if it draws what this Python's `random` draws (checked on a sample), else
    library_draws: a Python whose random module differs keeps its own (slower) results."""
    a, b = random.Random(7), random.Random(7)
    fa, fb = fast_draws(a), library_draws(b)
    w = weighted(range(11), NPS_HAPPY)
    for i in range(300):
        lo = (0, 1, 5, 2008, 300_000)[i % 5]
        hi = lo + (1, 11, 175, 14, 500_000)[i % 5]
        if (fa[0](lo, hi), fa[1](lo, hi * 1.1), fa[2](w), a.random()) != \
                (fb[0](lo, hi), fb[1](lo, hi * 1.1), fb[2](w), b.random()):
            return library_draws(rng)
    return fast_draws(rng)


def nd(d):
    """Not 2024-01-01: the day before instead."""
    return NY - 1 if d == NY else d


NPS_LEAVING = [1] * 5 + [2, 3, 3, 3, 1, 1]
NPS_HAPPY = [0, 0, 0, 1, 1, 1, 2, 4, 6, 6, 4]
CSAT_LEAVING = [3, 3, 3, 2, 1]
CSAT_HAPPY = [1, 1, 3, 8, 6]
CES_LEAVING = [1, 1, 2, 3, 3, 2, 1]
CES_HAPPY = [4, 6, 5, 3, 2, 1, 0]
W_NPS_LEAVING, W_NPS_HAPPY = weighted(range(11), NPS_LEAVING), weighted(range(11), NPS_HAPPY)
W_CSAT_LEAVING, W_CSAT_HAPPY = weighted(range(1, 6), CSAT_LEAVING), weighted(range(1, 6), CSAT_HAPPY)
W_CES_LEAVING, W_CES_HAPPY = weighted(range(1, 8), CES_LEAVING), weighted(range(1, 8), CES_HAPPY)
