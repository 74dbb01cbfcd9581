#!/usr/bin/env python3
"""Generate the bundled example KAM dataset (examples/data/*.csv).

Deterministic (fixed seed, standard library only): running it again rewrites the
same files byte for byte. The tables and columns are exactly those declared in
kpis/model.kpi.

The story of the data
---------------------
40 accounts in five industries (8 each), over the years 2024 and 2025:

  slot 0  strategic key account, customer for many years
  slot 1  key account, long-standing customer
  slot 2  developing account, long-standing customer
  slot 3  customer lost in 2024 (in Technology: lost in 2025)
  slot 4  customer lost in 2025 (two of them in the fourth quarter)
  slot 5  customer acquired in 2024 (in Healthcare: lost again at its first renewal, 2025)
  slot 6  customer acquired in 2025 (two of them in the fourth quarter)
  slot 7  prospect: in the target market, never a customer

Conventions that keep the data unambiguous for the expected values:
  - no order, opportunity, lead, touchpoint, review, survey, ticket, contract or cost
    and no customer_since / churned_on date falls on 2024-01-01, so "the previous
    period of 2025" reads the same whether it is taken as calendar 2024 or as the 365
    days before 2025 (only plan rows — revenue_plans.quarter_start and
    account_plans.valid_from — start on 2024-01-01, and no KPI compares them with a
    previous period);
  - an account orders, files tickets, answers surveys and is billed service costs
    only while it is a customer (customer_since <= date < churned_on);
  - a product line's first order is dated exactly on its first_purchased_on date;
  - a churned account's main contract ends the day before churned_on and is "lost".

Usage: python3 examples/generate_example_data.py   (from the repository root or anywhere)
"""

import csv
import datetime as dt
import os
import random
from decimal import Decimal, ROUND_HALF_UP

SEED = 8
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")

D = dt.date
YEAR_START = {2024: D(2024, 1, 2), 2025: D(2025, 1, 1)}  # 2024-01-01 is never used
YEAR_END = {2024: D(2024, 12, 31), 2025: D(2025, 12, 31)}
DATA_END = D(2025, 12, 31)
FAR = D(9999, 12, 31)

INDUSTRIES = ["Manufacturing", "Healthcare", "Financial Services", "Retail", "Technology"]
REGIONS = ["EMEA", "North America", "APAC"]
MANAGERS = ["Alice Moreau", "Ben Carter", "Chen Wei", "Dana Okafor", "Erik Lindqvist"]
LINES = ["Equipment", "Consumables", "Maintenance Services", "Software", "Training"]
# gross margin per product line
MARGIN = {"Equipment": 0.28, "Consumables": 0.45, "Maintenance Services": 0.38, "Software": 0.72, "Training": 0.55}
# share of an account's wallet per product line
LINE_WEIGHT = {"Equipment": 0.30, "Consumables": 0.25, "Maintenance Services": 0.20, "Software": 0.15, "Training": 0.10}
# orders per year for a full year of buying the line
ORDERS_PER_YEAR = {"Equipment": (1, 2), "Consumables": (4, 6), "Maintenance Services": (2, 4), "Software": (1, 2), "Training": (1, 2)}
# yearly growth of spend from 2024 to 2025, per industry
INDUSTRY_GROWTH = {"Manufacturing": 1.08, "Healthcare": 1.15, "Financial Services": 0.96, "Retail": 1.03, "Technology": 1.20}
STAGES = ["prospecting", "qualification", "proposal", "negotiation"]
SLA_HOURS = {"low": 24.0, "normal": 8.0, "high": 4.0, "urgent": 1.0}

NAMES = {
    "Manufacturing": ["Nordhaven Steelworks", "Baltec Machining", "Orrin Plastics", "Kessler Foundry",
                      "Vantor Components", "Greyfield Motors", "Lumen Fabrication", "Atlas Gearworks"],
    "Healthcare": ["St. Aldric Hospitals", "Medivance Clinics", "Corvid Labs", "Helix Care Group",
                   "Brightwell Pharma", "Quenby Diagnostics", "Solace Health", "Meridian Biotech"],
    "Financial Services": ["Harbourline Bank", "Cobalt Insurance", "Fenwick Capital", "Ivory Trust",
                           "Northgate Credit Union", "Sable Asset Management", "Prism Payments", "Keystone Mutual"],
    "Retail": ["Marigold Stores", "UrbanCart", "Pennyworth Grocers", "Larkspur Fashion",
               "Boxwood Home", "Tidewater Outfitters", "Juniper Markets", "Crescent Electronics"],
    "Technology": ["Quasar Systems", "Driftwood Software", "Ionic Networks", "Pelican Cloud",
                   "Redshift Analytics", "Lattice Devices", "Emberline AI", "Corvus Data"],
}

rng = random.Random(SEED)


def money(x):
    return Decimal(str(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def rand_date(lo, hi):
    """A random date in [lo, hi], never 2024-01-01."""
    if hi < lo:
        raise ValueError((lo, hi))
    while True:
        d = lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))
        if d != D(2024, 1, 1):
            return d


def nd(d):
    """Moves a computed date off 2024-01-01 (see the conventions above)."""
    return D(2023, 12, 31) if d == D(2024, 1, 1) else d


def fmt(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def add_years(d, n):
    return d.replace(year=d.year + n)


# ----------------------------------------------------------------------------- accounts

accounts = []
for i, industry in enumerate(INDUSTRIES):
    for slot in range(8):
        aid = f"A{i + 1}{slot + 1:02d}"  # A101 .. A508
        a = {"account_id": aid, "name": NAMES[industry][slot], "industry": industry,
             "region": REGIONS[(i + slot) % 3], "account_manager": MANAGERS[(i * 2 + slot) % 5], "slot": slot}
        day = rng.randint(5, 28)
        if slot == 0:
            a.update(tier="strategic", key=True, since=D(rng.randint(2010, 2015), rng.randint(2, 12), day), churn=None)
        elif slot == 1:
            a.update(tier="key", key=True, since=D(rng.randint(2015, 2019), rng.randint(2, 12), day), churn=None)
        elif slot == 2:
            a.update(tier="developing", key=(i == 4), since=D(rng.randint(2017, 2021), rng.randint(2, 12), day), churn=None)
        elif slot == 3:
            churn = D(2025 if industry == "Technology" else 2024, rng.randint(3, 11), day)
            a.update(tier="key" if i % 2 == 0 else "developing", key=(i % 2 == 0),
                     since=churn.replace(year=rng.randint(2016, 2020)), churn=churn)
        elif slot == 4:
            month = rng.randint(10, 12) if i in (1, 3) else rng.randint(2, 9)
            churn = D(2025, month, day)
            a.update(tier="key", key=(i in (0, 1, 3)), since=churn.replace(year=rng.randint(2015, 2020)), churn=churn)
        elif slot == 5:
            since = D(2024, rng.randint(2, 10), day)
            a.update(tier="key" if i in (2, 4) else "developing", key=(i in (2, 4)), since=since,
                     churn=since.replace(year=2025) if industry == "Healthcare" else None)
        elif slot == 6:
            month = rng.randint(10, 11) if i in (0, 4) else rng.randint(2, 9)
            a.update(tier="developing", key=(i == 0), since=D(2025, month, day), churn=None)
        else:
            a.update(tier="strategic" if i % 2 == 0 else "key", key=(i != 3), since=None, churn=None)
        base = {"strategic": (2_000_000, 4_000_000), "key": (800_000, 2_000_000), "developing": (300_000, 800_000)}[a["tier"]]
        a["wallet_target"] = rng.randint(*base)
        accounts.append(a)

ACC = {a["account_id"]: a for a in accounts}


def is_customer_on(a, d):
    return a["since"] is not None and a["since"] <= d and (a["churn"] is None or d < a["churn"])


def customer_window(a, lo, hi):
    """The part of [lo, hi] in which the account is a customer, or None."""
    if a["since"] is None:
        return None
    s = max(lo, a["since"])
    e = min(hi, (a["churn"] - dt.timedelta(days=1)) if a["churn"] else hi)
    return (s, e) if s <= e else None


# ------------------------------------------------------------------- whitespace map

account_products = []
for a in accounts:
    lines = list(LINES)
    if rng.random() < 0.3:
        lines.remove(rng.choice(LINES[1:]))
    weights = {ln: LINE_WEIGHT[ln] * rng.uniform(0.7, 1.3) for ln in lines}
    total_w = sum(weights.values())
    a["lines"] = {}
    wallet = Decimal(0)
    # which lines are bought before 2024, and which are adopted in 2024 / 2025
    order = sorted(lines, key=lambda ln: -weights[ln] + rng.uniform(-0.1, 0.1))
    if a["since"] is None:
        n_before = 0
    elif a["since"].year >= 2024:
        n_before = 0
    else:
        n_before = {0: 3, 1: 2, 2: 1, 3: 2, 4: 2}[a["slot"]] + rng.randint(0, 1)
    adopt = {}
    for k, ln in enumerate(order):
        if a["since"] is None:
            adopt[ln] = None
        elif a["since"].year >= 2024:
            adopt[ln] = a["since"] if k == 0 else None
        elif k < n_before:
            adopt[ln] = rand_date(a["since"], D(2023, 12, 20))
        else:
            adopt[ln] = None
    # expansion events: existing customers adopt a new line in 2024 or 2025
    remaining = [ln for ln in order if adopt[ln] is None]
    if a["since"] is not None and remaining:
        if a["slot"] in (0, 1, 2):
            # one adoption in 2025 for every slot-1 account (in Q4 in some industries),
            # and for some of the other long-standing accounts
            if a["slot"] == 1 or rng.random() < (0.35 if a["slot"] == 0 else 0.25):
                ln = remaining.pop(0)
                lo, hi = (D(2025, 10, 1), D(2025, 12, 10)) if (a["slot"] == 1 and INDUSTRIES.index(a["industry"]) % 2 == 0) else (D(2025, 2, 1), D(2025, 9, 30))
                adopt[ln] = rand_date(lo, hi)
            if remaining and rng.random() < 0.6:
                ln = remaining.pop(0)
                adopt[ln] = rand_date(D(2024, 2, 1), D(2024, 11, 30))
        elif a["slot"] == 5 and remaining:
            lo = max(a["since"] + dt.timedelta(days=60), D(2025, 1, 15))
            hi = D(2025, 11, 30) if a["churn"] is None else a["churn"] - dt.timedelta(days=30)
            if lo <= hi:
                ln = remaining.pop(0)
                adopt[ln] = rand_date(lo, hi)
        elif a["slot"] == 4 and remaining and rng.random() < 0.5:
            ln = remaining.pop(0)
            adopt[ln] = rand_date(D(2024, 3, 1), D(2024, 10, 31))
    for n, ln in enumerate(lines):
        pot = money(a["wallet_target"] * weights[ln] / total_w)
        wallet += pot
        a["lines"][ln] = adopt[ln]
        account_products.append({"account_product_id": f"{a['account_id']}-P{n + 1}", "account_id": a["account_id"],
                                 "product_line": ln, "annual_potential": pot, "first_purchased_on": adopt[ln]})
        a.setdefault("potential", {})[ln] = pot
    a["revenue_potential"] = wallet
    a["potential_band"] = "high" if wallet >= 1_500_000 else ("medium" if wallet >= 600_000 else "low")

# ----------------------------------------------------------------------------- orders

orders = []
order_no = 0
for a in accounts:
    if a["since"] is None:
        continue
    share = rng.uniform(0.30, 0.65)
    growth = INDUSTRY_GROWTH[a["industry"]] * rng.uniform(0.92, 1.10)
    for ln, first in a["lines"].items():
        if first is None:
            continue
        yearly_2024 = float(a["potential"][ln]) * share * rng.uniform(0.8, 1.2)
        for year in (2024, 2025):
            yearly = yearly_2024 * (growth if year == 2025 else 1.0)
            if a["churn"] is not None and a["churn"].year == year:
                yearly *= 0.7  # a customer on its way out buys less
            win = customer_window(a, max(YEAR_START[year], first), YEAR_END[year])
            if win is None:
                continue
            lo, hi = win
            full = (YEAR_END[year] - YEAR_START[year]).days + 1
            frac = ((hi - lo).days + 1) / full
            per_year = rng.randint(*ORDERS_PER_YEAR[ln])
            n = max(1, round(per_year * frac))
            dates = sorted(rand_date(lo, hi) for _ in range(n))
            if first >= lo:  # the line is adopted in this year: first order on the adoption day
                dates[0] = first
            for od in dates:
                order_no += 1
                rev = money(yearly / per_year * rng.uniform(0.7, 1.3))
                cost = money(float(rev) * (1 - MARGIN[ln] + rng.uniform(-0.05, 0.05)))
                disc = None
                if rng.random() < 0.4:
                    rate = rng.uniform(0.03, 0.15)
                    disc = money(float(rev) * rate / (1 - rate))
                orders.append({"order_id": f"O{order_no:05d}", "account_id": a["account_id"], "order_date": od,
                               "product_line": ln, "revenue": rev, "cost": cost, "discount": disc})
orders.sort(key=lambda o: (o["order_date"], o["order_id"]))
for k, o in enumerate(orders):
    o["order_id"] = f"O{k + 1:05d}"


def quarter_start(d):
    return D(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def quarter_end(qs):
    nxt = D(qs.year + (qs.month == 10), 1 if qs.month == 10 else qs.month + 3, 1)
    return nxt - dt.timedelta(days=1)


QUARTERS = [D(y, m, 1) for y in (2024, 2025) for m in (1, 4, 7, 10)]
q_revenue = {}
for o in orders:
    key = (o["account_id"], quarter_start(o["order_date"]))
    q_revenue[key] = q_revenue.get(key, Decimal(0)) + o["revenue"]

# ---------------------------------------------------------------------- revenue plans

revenue_plans = []
for a in accounts:
    for qs in QUARTERS:
        if customer_window(a, qs, quarter_end(qs)) is None:
            continue
        actual = q_revenue.get((a["account_id"], qs), Decimal(0))
        avg_q = sum(q_revenue.get((a["account_id"], q), Decimal(0)) for q in QUARTERS) / 8
        target = money(float(avg_q) * rng.uniform(1.0, 1.25) + 5000)
        forecast = money(float(actual) * rng.uniform(0.85, 1.25) + rng.uniform(0, 8000))  # optimistic bias
        revenue_plans.append({"plan_id": f"RP-{a['account_id']}-{qs.year}Q{(qs.month - 1) // 3 + 1}",
                              "account_id": a["account_id"], "quarter_start": qs,
                              "target_revenue": target, "forecast_revenue": forecast})

# ----------------------------------------------------------------- leads & opportunities

leads, opportunities = [], []
lead_no = opp_no = 0


def new_lead(a, created, converted_on, source):
    global lead_no
    lead_no += 1
    lid = f"L{lead_no:04d}"
    leads.append({"lead_id": lid, "account_id": a["account_id"], "created_on": created, "source": source,
                  "converted": converted_on is not None, "converted_on": converted_on})
    return lid


def new_opp(a, created, closed, status, stage, qualified, line, amount, lead_id):
    global opp_no
    opp_no += 1
    opportunities.append({"opportunity_id": f"OP{opp_no:04d}", "account_id": a["account_id"], "lead_id": lead_id,
                          "created_on": created, "closed_on": closed, "stage": stage, "status": status,
                          "qualified": qualified, "product_line": line, "amount": amount})


for a in accounts:
    size = {"strategic": (60_000, 400_000), "key": (30_000, 200_000), "developing": (10_000, 80_000)}[a["tier"]]
    prospect_source = ["inbound", "referral", "event", "outbound"]
    # the deal that made an acquired account a customer
    if a["since"] is not None and a["since"].year >= 2024:
        created = a["since"] - dt.timedelta(days=rng.randint(45, 150))
        created = nd(created)
        lid = new_lead(a, nd(created - dt.timedelta(days=rng.randint(5, 30))), a["since"], rng.choice(prospect_source))
        first_line = next(ln for ln, d in a["lines"].items() if d == a["since"])
        new_opp(a, created, a["since"], "won", "negotiation", True, first_line, money(rng.uniform(*size)), lid)
    # regular deals: late 2023 (to give 2024 an opening pipeline), 2024 and 2025
    for year, n_range in ((2023, (0, 1)), (2024, (2, 4)), (2025, (2, 4))):
        for _ in range(rng.randint(*n_range)):
            lo = D(2023, 9, 1) if year == 2023 else YEAR_START[year]
            hi = D(2023, 12, 31) if year == 2023 else YEAR_END[year]
            if a["churn"] is not None:
                hi = min(hi, a["churn"] - dt.timedelta(days=30))
            if hi < lo:
                continue
            created = rand_date(lo, hi)
            is_customer = is_customer_on(a, created)
            qualified = rng.random() < 0.8
            cycle = rng.randint(20, 180)
            closed = created + dt.timedelta(days=cycle)
            if a["churn"] is not None and closed >= a["churn"]:
                closed = a["churn"] - dt.timedelta(days=rng.randint(1, 20))
                closed = max(closed, created + dt.timedelta(days=5))
            closed = nd(closed)
            line = rng.choice([ln for ln in a["lines"]])
            amount = money(rng.uniform(*size))
            p_win = 0.55 if is_customer else 0.0  # a won deal would have made a prospect a customer
            if closed > DATA_END or (year == 2024 and rng.random() < 0.08 and a["churn"] is None):
                status, closed_on = "open", None  # still open (a few stale 2024 deals among them)
                stage = rng.choice(STAGES if qualified else STAGES[:2])
            elif qualified and rng.random() < p_win:
                status, closed_on, stage = "won", closed, "negotiation"
            else:
                status, closed_on = "lost", closed
                stage = rng.choice(STAGES if qualified else STAGES[:2])
            lid = None
            if year >= 2024 and rng.random() < 0.7:
                src = "existing_account" if is_customer else rng.choice(prospect_source)
                lead_created = nd(created - dt.timedelta(days=rng.randint(3, 30)))
                lid = new_lead(a, lead_created, closed_on if status == "won" else None, src)
            new_opp(a, created, closed_on, status, stage, qualified, line, amount, lid)
    # leads that never became a deal
    for year in (2024, 2025):
        for _ in range(rng.randint(1, 3)):
            hi = YEAR_END[year]
            if a["churn"] is not None:
                hi = min(hi, a["churn"] - dt.timedelta(days=1))
            if hi < YEAR_START[year]:
                continue
            created = rand_date(YEAR_START[year], hi)
            src = "existing_account" if is_customer_on(a, created) else rng.choice(prospect_source)
            new_lead(a, created, None, src)

# -------------------------------------------------------- business reviews, touchpoints

business_reviews, touchpoints = [], []
tp_no = rv_no = 0
CONTACTS = {"strategic": 8, "key": 5, "developing": 3}


def add_touchpoint(a, day, kind, attended, exec_p):
    global tp_no
    tp_no += 1
    n_contacts = CONTACTS[a["tier"]] if a["since"] is not None else 2
    touchpoints.append({"touchpoint_id": f"T{tp_no:05d}", "account_id": a["account_id"], "held_on": day, "kind": kind,
                        "contact_id": f"{a['account_id']}-C{rng.randint(1, n_contacts)}",
                        "executive_involved": rng.random() < exec_p, "attended": attended})


for a in accounts:
    for qs in QUARTERS:
        qe = quarter_end(qs)
        planned = qs + dt.timedelta(days=rng.randint(30, 75))
        if not is_customer_on(a, planned):
            continue
        if not a["key"] and qs.month not in (4, 10):
            continue  # non-key accounts: two reviews a year
        rv_no += 1
        leaving = a["churn"] is not None and (a["churn"] - planned).days < 240
        held = None
        if rng.random() < (0.5 if leaving else 0.85):
            held = min(planned + dt.timedelta(days=rng.randint(0, 14)), qe)
            if not is_customer_on(a, held):
                held = planned
            add_touchpoint(a, held, "qbr", True, 0.5)
        business_reviews.append({"review_id": f"R{rv_no:04d}", "account_id": a["account_id"],
                                 "planned_for": planned, "held_on": held})

for a in accounts:
    for year in (2024, 2025):
        lo, hi = YEAR_START[year], YEAR_END[year]
        if a["churn"] is not None:
            hi = min(hi, a["churn"] - dt.timedelta(days=1))
        if hi < lo:
            continue
        if is_customer_on(a, hi) or customer_window(a, lo, hi):
            n = {"strategic": (14, 20), "key": (9, 13), "developing": (5, 8)}[a["tier"]]
        elif a["key"] and not (year == 2025 and INDUSTRIES.index(a["industry"]) in (2, 4)):
            n = (3, 6)
        else:
            continue  # prospects nobody is working on: no touchpoints this year
        frac = ((hi - lo).days + 1) / 365
        leaving = a["churn"] is not None and a["churn"].year == year
        for _ in range(max(1, round(rng.randint(*n) * frac))):
            day = rand_date(lo, hi)
            kind = rng.choices(["meeting", "call", "email", "workshop"], [0.35, 0.3, 0.25, 0.1])[0]
            attended = None
            if kind in ("meeting", "workshop"):
                attended = rng.random() < (0.65 if leaving else 0.9)
            add_touchpoint(a, day, kind, attended, 0.03 if kind == "email" else 0.12)
touchpoints.sort(key=lambda t: (t["held_on"], t["account_id"], t["touchpoint_id"]))
for k, t in enumerate(touchpoints):
    t["touchpoint_id"] = f"T{k + 1:05d}"

# ---------------------------------------------------------------------- account plans

account_plans = []
for a in accounts:
    if not a["key"]:
        continue
    for year in (2024, 2025):
        win = customer_window(a, D(year, 1, 1), YEAR_END[year])
        if win is None or rng.random() < 0.1:
            continue  # some key accounts go a year without a plan
        valid_from = D(year, 1, 1) if win[0] == D(year, 1, 1) else win[0] + dt.timedelta(days=20)
        if valid_from > YEAR_END[year]:
            continue
        n_set = rng.randint(3, 6)
        p_met = 0.35 if (a["churn"] is not None and a["churn"].year == year) else 0.65
        account_plans.append({"plan_id": f"AP-{a['account_id']}-{year}", "account_id": a["account_id"],
                              "valid_from": valid_from, "valid_to": YEAR_END[year],
                              "status": "approved" if rng.random() < 0.85 else "draft",
                              "objectives_set": n_set, "objectives_met": sum(rng.random() < p_met for _ in range(n_set))})

# ---------------------------------------------------------------------------- surveys

surveys = []
sv_no = 0
for a in accounts:
    for year in (2024, 2025):
        win = customer_window(a, YEAR_START[year], YEAR_END[year])
        if win is None:
            continue
        leaving = a["churn"] is not None and a["churn"].year == year
        frac = ((win[1] - win[0]).days + 1) / 365
        for kind, n in (("nps", 2), ("csat", 3), ("ces", 2)):
            for _ in range(max(1, round(n * frac))):
                sv_no += 1
                responded = rng.random() < 0.65
                score = None
                if responded:
                    if kind == "nps":
                        score = rng.choices(range(11), ([1] * 5 + [2, 3, 3, 3, 1, 1]) if leaving else ([0, 0, 0, 1, 1, 1, 2, 4, 6, 6, 4]))[0]
                    elif kind == "csat":
                        score = rng.choices(range(1, 6), [3, 3, 3, 2, 1] if leaving else [1, 1, 3, 8, 6])[0]
                    else:
                        score = rng.choices(range(1, 8), [1, 1, 2, 3, 3, 2, 1] if leaving else [4, 6, 5, 3, 2, 1, 0])[0]
                surveys.append({"survey_id": f"S{sv_no:04d}", "account_id": a["account_id"],
                                "sent_on": rand_date(*win), "kind": kind, "responded": responded, "score": score})
surveys.sort(key=lambda s: (s["sent_on"], s["survey_id"]))
for k, s in enumerate(surveys):
    s["survey_id"] = f"S{k + 1:04d}"

# -------------------------------------------------------------------- support tickets

support_tickets = []
tk_no = 0
tickets_per_quarter = {}
for a in accounts:
    for year in (2024, 2025):
        win = customer_window(a, YEAR_START[year], YEAR_END[year])
        if win is None:
            continue
        frac = ((win[1] - win[0]).days + 1) / 365
        leaving = a["churn"] is not None and a["churn"].year == year
        for _ in range(max(1, round(rng.randint(3, 8) * frac))):
            tk_no += 1
            opened = rand_date(*win)
            priority = rng.choices(list(SLA_HOURS), [0.25, 0.45, 0.22, 0.08])[0]
            category = rng.choices(["question", "incident", "request", "complaint"],
                                   [0.3, 0.3, 0.2, 0.2] if leaving else [0.35, 0.3, 0.25, 0.1])[0]
            sla = SLA_HOURS[priority]
            first = round(sla * rng.uniform(0.15, 1.4), 1)
            fcr = rng.random() < (0.55 if category in ("question", "request") else 0.3)
            if fcr:
                res_h = round(max(first, rng.uniform(0.5, 8.0)), 1)
            else:
                res_h = round(first + rng.uniform(*{"urgent": (2, 24), "high": (4, 72), "normal": (8, 120), "low": (8, 240)}[priority]), 1)
            resolved = opened + dt.timedelta(days=int(res_h // 24))
            if resolved > DATA_END or (opened > D(2025, 12, 1) and rng.random() < 0.3):
                resolved, res_h = None, None
            support_tickets.append({"ticket_id": f"TK{tk_no:04d}", "account_id": a["account_id"], "opened_on": opened,
                                    "priority": priority, "category": category, "first_response_hours": first,
                                    "sla_response_hours": sla, "resolved_on": resolved, "resolution_hours": res_h,
                                    "resolved_first_contact": fcr and resolved is not None,
                                    "escalated": rng.random() < (0.3 if category == "complaint" else 0.08)})
            key = (a["account_id"], quarter_start(opened))
            tickets_per_quarter[key] = tickets_per_quarter.get(key, 0) + 1
support_tickets.sort(key=lambda t: (t["opened_on"], t["ticket_id"]))
for k, t in enumerate(support_tickets):
    t["ticket_id"] = f"TK{k + 1:04d}"

# -------------------------------------------------------------------------- contracts

contracts = []
ct_no = 0
for a in accounts:
    if a["since"] is None:
        continue
    yearly_rev = sum(q_revenue.get((a["account_id"], q), Decimal(0)) for q in QUARTERS[:4]) or \
        sum(q_revenue.get((a["account_id"], q), Decimal(0)) for q in QUARTERS[4:])
    value = money(float(yearly_rev) * rng.uniform(0.5, 0.7) + 10000)
    addon = rng.random() < 0.45
    addon_value = money(float(value) * rng.uniform(0.1, 0.25))
    addon_alive = True
    start_year = max(a["since"].year, 2023)
    for y in range(start_year, 2026):
        start = a["since"].replace(year=y)
        end = add_years(start, 1) - dt.timedelta(days=1)
        if a["since"].year < 2023 and y == 2023 and end.year < 2024:
            continue
        if a["churn"] is not None and start >= a["churn"]:
            break
        renewal_value = money(float(value) * rng.uniform(0.92, 1.12))
        if a["churn"] is not None and end == a["churn"] - dt.timedelta(days=1):
            status, renewed = "lost", None
        elif end > DATA_END:
            status, renewed = "pending", None
        elif end > D(2025, 11, 30) and rng.random() < 0.5:
            status, renewed = "pending", None
        else:
            status, renewed = "renewed", renewal_value
        ct_no += 1
        contracts.append({"contract_id": f"C{ct_no:04d}", "account_id": a["account_id"], "start_date": start,
                          "end_date": end, "annual_value": value, "renewal_status": status, "renewed_value": renewed})
        if addon and addon_alive:
            ct_no += 1
            drop = rng.random() < 0.2 and end <= DATA_END
            a_status = "lost" if (status == "lost" or drop) else status
            a_renewed = money(float(addon_value) * rng.uniform(0.95, 1.1)) if a_status == "renewed" else None
            contracts.append({"contract_id": f"C{ct_no:04d}", "account_id": a["account_id"], "start_date": start,
                              "end_date": end, "annual_value": addon_value, "renewal_status": a_status,
                              "renewed_value": a_renewed})
            if a_status == "lost":
                addon_alive = False
            elif a_renewed is not None:
                addon_value = a_renewed
        if status != "renewed":
            break
        value = renewal_value

# ---------------------------------------------------------------------- service costs

service_costs = []
sc_no = 0
for a in accounts:
    for qs in QUARTERS:
        qe = quarter_end(qs)
        win = customer_window(a, qs, qe)
        if win is None:
            continue
        booked = win[1]
        rev = q_revenue.get((a["account_id"], qs), Decimal(0))
        n_tickets = tickets_per_quarter.get((a["account_id"], qs), 0)
        items = []
        if a["key"]:
            items.append(("account_management", {"strategic": 9000, "key": 6000, "developing": 3500}[a["tier"]] * rng.uniform(0.8, 1.2)))
        items.append(("customer_support", 400 + 350 * n_tickets * rng.uniform(0.8, 1.2)))
        items.append(("logistics", 150 + float(rev) * rng.uniform(0.015, 0.03)))
        items.append(("overhead_allocation", 300 + float(rev) * 0.03))
        for cost_type, amount in items:
            sc_no += 1
            service_costs.append({"cost_id": f"SC{sc_no:05d}", "account_id": a["account_id"], "booked_on": booked,
                                  "cost_type": cost_type, "amount": money(amount)})

# ------------------------------------------------------------------------------ write

TABLES = {
    "accounts": (["account_id", "name", "industry", "region", "tier", "potential_band", "account_manager",
                  "is_key_account", "customer_since", "churned_on", "revenue_potential"],
                 [{"account_id": a["account_id"], "name": a["name"], "industry": a["industry"], "region": a["region"],
                   "tier": a["tier"], "potential_band": a["potential_band"], "account_manager": a["account_manager"],
                   "is_key_account": a["key"], "customer_since": a["since"], "churned_on": a["churn"],
                   "revenue_potential": a["revenue_potential"]} for a in accounts]),
    "orders": (["order_id", "account_id", "order_date", "product_line", "revenue", "cost", "discount"], orders),
    "opportunities": (["opportunity_id", "account_id", "lead_id", "created_on", "closed_on", "stage", "status",
                       "qualified", "product_line", "amount"], opportunities),
    "leads": (["lead_id", "account_id", "created_on", "source", "converted", "converted_on"], leads),
    "touchpoints": (["touchpoint_id", "account_id", "held_on", "kind", "contact_id", "executive_involved", "attended"],
                    touchpoints),
    "business_reviews": (["review_id", "account_id", "planned_for", "held_on"], business_reviews),
    "account_plans": (["plan_id", "account_id", "valid_from", "valid_to", "status", "objectives_set", "objectives_met"],
                      account_plans),
    "surveys": (["survey_id", "account_id", "sent_on", "kind", "responded", "score"], surveys),
    "support_tickets": (["ticket_id", "account_id", "opened_on", "priority", "category", "first_response_hours",
                         "sla_response_hours", "resolved_on", "resolution_hours", "resolved_first_contact",
                         "escalated"], support_tickets),
    "contracts": (["contract_id", "account_id", "start_date", "end_date", "annual_value", "renewal_status",
                   "renewed_value"], contracts),
    "revenue_plans": (["plan_id", "account_id", "quarter_start", "target_revenue", "forecast_revenue"], revenue_plans),
    "account_products": (["account_product_id", "account_id", "product_line", "annual_potential",
                          "first_purchased_on"], account_products),
    "service_costs": (["cost_id", "account_id", "booked_on", "cost_type", "amount"], service_costs),
}


def validate():
    """Checks the conventions stated in the module docstring."""
    new_year = D(2024, 1, 1)
    plan_columns = {("revenue_plans", "quarter_start"), ("account_plans", "valid_from")}
    for name, (columns, rows) in TABLES.items():
        keys = [r[columns[0]] for r in rows]
        assert len(keys) == len(set(keys)), f"duplicate key in {name}"
        for r in rows:
            for c in columns:
                if r[c] == new_year:
                    assert (name, c) in plan_columns, f"{name}.{c} dated 2024-01-01"
    for name, col in (("orders", "order_date"), ("support_tickets", "opened_on"), ("surveys", "sent_on"),
                      ("service_costs", "booked_on")):
        for r in TABLES[name][1]:
            assert is_customer_on(ACC[r["account_id"]], r[col]), f"{name} row outside the customer window: {r}"
    first_order = {}
    for o in orders:
        k = (o["account_id"], o["product_line"])
        first_order[k] = min(first_order.get(k, o["order_date"]), o["order_date"])
    for ap in account_products:
        k = (ap["account_id"], ap["product_line"])
        if ap["first_purchased_on"] is not None and ap["first_purchased_on"] >= YEAR_START[2024]:
            assert first_order.get(k) == ap["first_purchased_on"], f"first order differs: {ap}"
        if k in first_order:
            assert ap["first_purchased_on"] is not None and ap["first_purchased_on"] <= first_order[k], ap
    for a in accounts:
        if a["churn"] is not None:
            assert a["since"] < a["churn"]
    for op in opportunities:
        assert op["closed_on"] is None or op["closed_on"] >= op["created_on"], op
        assert (op["closed_on"] is None) == (op["status"] == "open"), op
    for t in support_tickets:
        assert (t["resolved_on"] is None) == (t["resolution_hours"] is None), t


def main():
    validate()
    os.makedirs(OUT, exist_ok=True)
    total = 0
    for name, (columns, rows) in TABLES.items():
        with open(os.path.join(OUT, f"{name}.csv"), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(columns)
            for r in rows:
                w.writerow([fmt(r[c]) for c in columns])
        total += len(rows)
        print(f"{name:18} {len(rows):5} rows")
    print(f"{'total':18} {total:5} rows")


if __name__ == "__main__":
    main()
