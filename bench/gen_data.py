#!/usr/bin/env python3
"""Generate a large synthetic KAM dataset for the model in kpis/model.kpi.

Deterministic (standard library only, one random.Random(seed) consumed in a fixed
order, no iteration over sets or dicts whose order could vary): the same --accounts
and --seed write the same files byte for byte.

    python3 bench/gen_data.py --accounts 100000 --out bench/out/data-100000 [--seed 20250]
    python3 bench/gen_data.py --accounts 1000 --out /tmp/d --validate   # re-read and check

One CSV per table of the model (`TABLE.csv`, header = the declared column names, in the
declared order; the generator checks them against kpis/model.kpi before writing).
Years 2024 and 2025. Per 100 accounts, roughly:

  62  long-standing customers (since 2008-2022)     7  acquired in 2024 (1 in 5 of them
   5  lost in 2024                                     lost again at the first renewal, 2025)
   6  lost in 2025                                   7  acquired in 2025
  13  prospects (in the target market, never customers)

tiers: 10% strategic, 35% key, 55% developing (prospects lean to strategic / key).
About 40 orders per account per year (customers order 34-115 a year depending on tier,
prospects and lost accounts none), so ~80 orders per account over the two years;
~180 rows per account in all tables together (100,000 accounts: 7.9M orders, 18M rows,
1.1 GB, about 75 s on one core).

Data conventions, the same as examples/generate_example_data.py:
  - no order, opportunity, lead, touchpoint, review, survey, ticket, contract or cost
    and no customer_since / churned_on date falls on 2024-01-01 (only plan rows --
    revenue_plans.quarter_start and account_plans.valid_from -- start on that day);
  - an account orders, files tickets, answers surveys and is billed service costs only
    while it is a customer (customer_since <= date < churned_on);
  - a product line adopted in 2024 or 2025 has its first order exactly on its
    first_purchased_on date; lines bought before 2024 have first_purchased_on before 2024;
  - a churned account's main contract ends the day before churned_on and is "lost"
    (churned_on is an anniversary of customer_since);
  - optional cells are empty only in optional columns; money has two decimals, dates
    are YYYY-MM-DD, booleans true/false, hours one decimal.

Rows are written account by account (an account's rows are contiguous in every
table), in batches, with csv.writer; ids are numbered in that order.
"""

import argparse
import csv
import datetime as dt
import os
import random
import re
import sys
import time

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


def m(c):
    """Money from integer cents (never negative here) as a two-decimal string."""
    return f"{c // 100}.{c % 100:02d}"


def cents(x):
    return int(x * 100 + 0.5)


def check_model(root):
    """The declared tables and columns of kpis/model.kpi must be those written here."""
    path = os.path.join(root, "kpis", "model.kpi")
    if not os.path.exists(path):
        print(f"warning: {path} not found, header not checked against the model", file=sys.stderr)
        return
    text = open(path, encoding="utf-8").read()
    declared = {}
    for name, body in re.findall(r"^table\s+(\w+)\s*\{(.*?)^\}", text, re.S | re.M):
        cols = []
        for line in body.splitlines():
            mm = re.match(r"\s*(\w+)\s*:", line.split("//")[0])
            # A relation on several columns (`product: (a, b) -> t`) is no column.
            if mm and not re.match(r"\s*\w+\s*:\s*\(", line):
                cols.append(mm.group(1))
        declared[name] = cols
    if declared != COLUMNS:
        for t in sorted(set(declared) | set(COLUMNS)):
            if declared.get(t) != COLUMNS.get(t):
                print(f"model: {t}: {declared.get(t)}\ngenerator: {t}: {COLUMNS.get(t)}", file=sys.stderr)
        sys.exit("gen_data.py: the tables of kpis/model.kpi differ from the generator's; update COLUMNS")


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.n = {t: 0 for t in COLUMNS}  # id counters
        self.rows = {t: [] for t in COLUMNS}

    # -------------------------------------------------------------------- helpers

    def rdate(self, lo, hi):
        """A random date ordinal in [lo, hi], never 2024-01-01."""
        d = lo + int(self.rng.random() * (hi - lo + 1))
        if d == NY:
            d = NY + 1 if hi > NY else NY - 1
        return d

    @staticmethod
    def nd(d):
        return NY - 1 if d == NY else d

    def next_id(self, table):
        self.n[table] += 1
        return self.n[table]

    # -------------------------------------------------------------------- accounts

    def account(self, i):
        rng = self.rng
        rnd = rng.random
        R = self.rows
        aid = f"A{i + 1:06d}"
        industry = INDUSTRIES[int(rnd() * len(INDUSTRIES))]
        region = REGIONS[int(rnd() * len(REGIONS))]
        name = f"{NAME_A[int(rnd() * len(NAME_A))]} {NAME_B[industry][int(rnd() * 6)]} {i + 1}"
        n_mgr = self.n_managers
        mgr = int(rnd() * n_mgr)
        manager = f"{FIRST[mgr % 20]} {LAST[(mgr // 20) % 20]}" + (f" {mgr // 400 + 1}" if mgr >= 400 else "")

        r = rnd()
        kind = ("prospect" if r < 0.13 else "lost24" if r < 0.18 else "lost25" if r < 0.24 else
                "new24" if r < 0.31 else "new25" if r < 0.38 else "long")
        r = rnd()
        if kind == "prospect":
            tier = "strategic" if r < 0.3 else "key" if r < 0.8 else "developing"
            key = rnd() < 0.7
        else:
            tier = "strategic" if r < 0.10 else "key" if r < 0.45 else "developing"
            key = True if tier == "strategic" else (rnd() < 0.85 if tier == "key" else rnd() < 0.1)
        day = 5 + int(rnd() * 24)  # 5..28: anniversaries exist every year
        since = churn = None
        if kind == "long":
            since = D(rng.randint(2008, 2022), rng.randint(1, 12), day)
        elif kind in ("lost24", "lost25"):
            cy = 2024 if kind == "lost24" else 2025
            churn = D(cy, rng.randint(2, 12), day)
            since = churn.replace(year=rng.randint(2012, 2021))
        elif kind == "new24":
            since = D(2024, rng.randint(1, 11), day)
            if rnd() < 0.2:
                churn = since.replace(year=2025)  # lost again at its first renewal
        elif kind == "new25":
            since = D(2025, rng.randint(1, 12), day)
        s_o = ORD(since) if since else None
        c_o = ORD(churn) if churn else None
        c_last = (c_o - 1) if c_o else FAR  # last day as a customer

        def window(lo, hi):
            if s_o is None:
                return None
            s = lo if lo > s_o else s_o
            e = hi if hi < c_last else c_last
            return (s, e) if s <= e else None

        def customer_on(d):
            return s_o is not None and s_o <= d <= c_last

        # ------------------------------------------------------- whitespace map
        lines = list(LINES)
        if rnd() < 0.3:
            lines.remove(LINES[1 + int(rnd() * 4)])
        weights = {ln: LINE_WEIGHT[ln] * rng.uniform(0.7, 1.3) for ln in lines}
        total_w = sum(weights.values())
        order = sorted(lines, key=lambda ln: -weights[ln] + rng.uniform(-0.1, 0.1))
        if s_o is None or since.year >= 2024:
            n_before = 0
        elif kind == "long":
            n_before = {"strategic": 3, "key": 2, "developing": 1}[tier] + rng.randint(0, 1)
        else:
            n_before = 2 + rng.randint(0, 1)
        adopt = {}
        for k, ln in enumerate(order):
            if s_o is None:
                adopt[ln] = None
            elif since.year >= 2024:
                adopt[ln] = s_o if k == 0 else None
            elif k < n_before:
                adopt[ln] = self.rdate(s_o, ORD(D(2023, 12, 20)))
            else:
                adopt[ln] = None
        remaining = [ln for ln in order if adopt[ln] is None]
        if s_o is not None and remaining:
            if kind == "long":
                if rnd() < 0.35:
                    adopt[remaining.pop(0)] = self.rdate(ORD(D(2025, 2, 1)), ORD(D(2025, 11, 30)))
                if remaining and rnd() < 0.4:
                    adopt[remaining.pop(0)] = self.rdate(ORD(D(2024, 2, 1)), ORD(D(2024, 11, 30)))
            elif kind == "new24":
                lo = max(s_o + 60, ORD(D(2025, 1, 15)))
                hi = ORD(D(2025, 11, 30)) if c_o is None else c_o - 30
                if lo <= hi and rnd() < 0.6:
                    adopt[remaining.pop(0)] = self.rdate(lo, hi)
            elif kind == "lost25" and rnd() < 0.4:
                hi = min(ORD(D(2024, 10, 31)), c_o - 30)
                if ORD(D(2024, 3, 1)) <= hi:
                    adopt[remaining.pop(0)] = self.rdate(ORD(D(2024, 3, 1)), hi)
        wallet = 0
        potential = {}
        # the wallet target is drawn once per account; its product lines share it by weight
        wallet_target = rng.randint(*WALLET[tier])
        for n, ln in enumerate(lines):
            pot = cents(wallet_target * weights[ln] / total_w)
            potential[ln] = pot
            wallet += pot
            first = adopt[ln]
            R["account_products"].append((f"{aid}-P{n + 1}", aid, ln, m(pot), DS[first - BASE] if first else ""))
        band = "high" if wallet >= 150_000_000 else ("medium" if wallet >= 60_000_000 else "low")
        R["accounts"].append((aid, name, industry, region, tier, band, manager, TF[key],
                              since.isoformat() if since else "", churn.isoformat() if churn else "", m(wallet)))

        # ------------------------------------------------------------------ orders
        q_rev = [0] * 8  # cents per quarter of 2024-2025
        if s_o is not None:
            share = rng.uniform(0.30, 0.65)
            growth = INDUSTRY_GROWTH[industry] * rng.uniform(0.92, 1.10)
            per_year_total = rng.randint(*ORDERS_PER_YEAR[tier])
            adopted_w = sum(ORDER_WEIGHT[ln] for ln in lines if adopt[ln] is not None)
            acc_orders = []
            for ln in lines:
                first = adopt[ln]
                if first is None:
                    continue
                yearly_2024 = potential[ln] * share * rng.uniform(0.8, 1.2)  # cents
                per_year = max(1, round(per_year_total * ORDER_WEIGHT[ln] / adopted_w * rng.uniform(0.8, 1.2)))
                margin = 1.0 - MARGIN[ln]
                for year, ys, ye in YEARS:
                    yearly = yearly_2024 * (growth if year == 2025 else 1.0)
                    if c_o is not None and churn.year == year:
                        yearly *= 0.7
                    win = window(max(ys, first), ye)
                    if win is None:
                        continue
                    lo, hi = win
                    frac = (hi - lo + 1) / (ye - ys + 1)
                    n = max(1, round(per_year * frac))
                    span = hi - lo + 1
                    dates = [lo + int(rnd() * span) for _ in range(n)]
                    if first >= lo:
                        dates[0] = first
                    per_order = yearly / per_year
                    for od in dates:
                        if od == NY:
                            od = NY + 1
                        rev = int(per_order * (0.7 + 0.6 * rnd()) + 0.5)
                        cost = int(rev * (margin - 0.05 + 0.1 * rnd()) + 0.5)
                        if rnd() < 0.4:
                            rate = 0.03 + 0.12 * rnd()
                            disc = m(int(rev * rate / (1 - rate) + 0.5))
                        else:
                            disc = ""
                        q_rev[QIDX[od - QIDX_BASE]] += rev
                        acc_orders.append((od, ln, rev, cost, disc))
            acc_orders.sort()
            no = self.n["orders"]
            ds = DS
            out = R["orders"]
            for od, ln, rev, cost, disc in acc_orders:
                no += 1
                out.append((f"O{no:09d}", aid, ds[od - BASE], ln, f"{rev // 100}.{rev % 100:02d}",
                            f"{cost // 100}.{cost % 100:02d}", disc))
            self.n["orders"] = no

        # ----------------------------------------------------------- revenue plans
        avg_q = sum(q_rev) / 8
        for k, (y, qn, qs, qe) in enumerate(QUARTERS):
            if window(qs, qe) is None:
                continue
            target = cents((avg_q / 100) * rng.uniform(1.0, 1.25) + 5000)
            forecast = cents((q_rev[k] / 100) * rng.uniform(0.85, 1.25) + rng.uniform(0, 8000))
            R["revenue_plans"].append((f"RP-{aid}-{y}Q{qn}", aid, DS[qs - BASE], m(target), m(forecast)))

        # --------------------------------------------------- leads & opportunities
        size = DEAL[tier]
        adopted_lines = lines

        def new_lead(created, converted_on, source):
            lid = f"L{self.next_id('leads'):08d}"
            R["leads"].append((lid, aid, DS[created - BASE], source, TF[converted_on is not None],
                               DS[converted_on - BASE] if converted_on is not None else ""))
            return lid

        def new_opp(created, closed, status, stage, qualified, line, amount, lead_id):
            R["opportunities"].append((f"OP{self.next_id('opportunities'):08d}", aid, lead_id or "",
                                       DS[created - BASE], DS[closed - BASE] if closed is not None else "",
                                       stage, status, TF[qualified], line, m(amount)))

        if s_o is not None and since.year >= 2024:
            created = self.nd(s_o - rng.randint(45, 150))
            lid = new_lead(self.nd(created - rng.randint(5, 30)), s_o, PROSPECT_SOURCES[int(rnd() * 4)])
            first_line = next(ln for ln in lines if adopt[ln] == s_o)
            new_opp(created, s_o, "won", "negotiation", True, first_line, cents(rng.uniform(*size)), lid)
        n_deals = ((2023, (0, 2)), (2024, (3, 7)), (2025, (3, 7))) if s_o is not None else \
            ((2023, (0, 1)), (2024, (1, 3)), (2025, (1, 3)))
        for year, n_range in n_deals:
            for _ in range(rng.randint(*n_range)):
                lo = ORD(D(2023, 9, 1)) if year == 2023 else (Y24S if year == 2024 else Y25S)
                hi = ORD(D(2023, 12, 31)) if year == 2023 else (Y24E if year == 2024 else Y25E)
                if c_o is not None:
                    hi = min(hi, c_o - 30)
                if hi < lo:
                    continue
                created = self.rdate(lo, hi)
                is_customer = customer_on(created)
                qualified = rnd() < 0.8
                closed = created + rng.randint(20, 180)
                if c_o is not None and closed >= c_o:
                    closed = max(c_o - rng.randint(1, 20), created + 5)
                closed = self.nd(closed)
                line = adopted_lines[int(rnd() * len(adopted_lines))]
                amount = cents(rng.uniform(*size))
                p_win = 0.55 if is_customer else 0.0  # a won deal would have made a prospect a customer
                if closed > DATA_END or (year == 2024 and rnd() < 0.08 and c_o is None):
                    status, closed_on = "open", None
                    stage = STAGES[int(rnd() * (4 if qualified else 2))]
                elif qualified and rnd() < p_win:
                    status, closed_on, stage = "won", closed, "negotiation"
                else:
                    status, closed_on = "lost", closed
                    stage = STAGES[int(rnd() * (4 if qualified else 2))]
                lid = None
                if year >= 2024 and rnd() < 0.7:
                    src = "existing_account" if is_customer else PROSPECT_SOURCES[int(rnd() * 4)]
                    lid = new_lead(self.nd(created - rng.randint(3, 30)), closed_on if status == "won" else None, src)
                new_opp(created, closed_on, status, stage, qualified, line, amount, lid)
        for year, ys, ye in YEARS:
            for _ in range(rng.randint(1, 4)):
                hi = ye if c_o is None else min(ye, c_o - 1)
                if hi < ys:
                    continue
                created = self.rdate(ys, hi)
                src = "existing_account" if customer_on(created) else PROSPECT_SOURCES[int(rnd() * 4)]
                new_lead(created, None, src)

        # --------------------------------------------- business reviews, touchpoints
        n_contacts = CONTACTS[tier] if s_o is not None else 2
        tps = []

        def touch(day, kind_, attended, exec_p):
            tps.append((day, kind_, f"{aid}-C{1 + int(rnd() * n_contacts)}", TF[rnd() < exec_p],
                        "" if attended is None else TF[attended]))

        for y, qn, qs, qe in QUARTERS:
            planned = qs + rng.randint(30, 75)
            if not customer_on(planned):
                continue
            if not key and qn not in (2, 4):
                continue  # non-key accounts: two reviews a year
            leaving = c_o is not None and (c_o - planned) < 240
            held = None
            if rnd() < (0.5 if leaving else 0.85):
                held = min(planned + rng.randint(0, 14), qe)
                if not customer_on(held):
                    held = planned
                touch(held, "qbr", True, 0.5)
            R["business_reviews"].append((f"R{self.next_id('business_reviews'):08d}", aid, DS[planned - BASE],
                                          DS[held - BASE] if held is not None else ""))
        for year, ys, ye in YEARS:
            hi = ye if c_o is None else min(ye, c_o - 1)
            if hi < ys:
                continue
            if window(ys, hi):
                n_range = TOUCH[tier]
            elif key and rnd() < 0.8:
                n_range = (3, 6)  # prospects and lapsed accounts being worked on
            else:
                continue
            frac = (hi - ys + 1) / 365
            leaving = churn is not None and churn.year == year
            for _ in range(max(1, round(rng.randint(*n_range) * frac))):
                day = self.rdate(ys, hi)
                r = rnd()
                kind_ = "meeting" if r < 0.35 else "call" if r < 0.65 else "email" if r < 0.9 else "workshop"
                attended = None
                if kind_ in ("meeting", "workshop"):
                    attended = rnd() < (0.65 if leaving else 0.9)
                touch(day, kind_, attended, 0.03 if kind_ == "email" else 0.12)
        tps.sort()
        for day, kind_, contact, ex, att in tps:
            R["touchpoints"].append((f"T{self.next_id('touchpoints'):09d}", aid, DS[day - BASE], kind_, contact,
                                     ex, att))

        # ---------------------------------------------------------- account plans
        if key:
            for year, ys, ye in YEARS:
                win = window(ORD(D(year, 1, 1)), ye)
                if win is None or rnd() < 0.1:
                    continue
                valid_from = ORD(D(year, 1, 1)) if win[0] == ORD(D(year, 1, 1)) else win[0] + 20
                if valid_from > ye:
                    continue
                n_set = rng.randint(3, 6)
                p_met = 0.35 if (churn is not None and churn.year == year) else 0.65
                R["account_plans"].append((f"AP-{aid}-{year}", aid, DS[valid_from - BASE], DS[ye - BASE],
                                           "approved" if rnd() < 0.85 else "draft", str(n_set),
                                           str(sum(rnd() < p_met for _ in range(n_set)))))

        # ---------------------------------------------------------------- surveys
        svs = []
        for year, ys, ye in YEARS:
            win = window(ys, ye)
            if win is None:
                continue
            leaving = churn is not None and churn.year == year
            frac = (win[1] - win[0] + 1) / 365
            for kind_, n in (("nps", 2), ("csat", 3), ("ces", 2)):
                for _ in range(max(1, round(n * frac))):
                    responded = rnd() < 0.65
                    score = ""
                    if responded:
                        if kind_ == "nps":
                            score = rng.choices(range(11), NPS_LEAVING if leaving else NPS_HAPPY)[0]
                        elif kind_ == "csat":
                            score = rng.choices(range(1, 6), CSAT_LEAVING if leaving else CSAT_HAPPY)[0]
                        else:
                            score = rng.choices(range(1, 8), CES_LEAVING if leaving else CES_HAPPY)[0]
                    svs.append((self.rdate(*win), kind_, TF[responded], str(score)))
        svs.sort()
        for sent, kind_, resp, score in svs:
            R["surveys"].append((f"S{self.next_id('surveys'):08d}", aid, DS[sent - BASE], kind_, resp, score))

        # -------------------------------------------------------- support tickets
        tickets_q = [0] * 8
        tks = []
        for year, ys, ye in YEARS:
            win = window(ys, ye)
            if win is None:
                continue
            frac = (win[1] - win[0] + 1) / 365
            leaving = churn is not None and churn.year == year
            for _ in range(max(1, round(rng.randint(*TICKETS[tier]) * frac))):
                opened = self.rdate(*win)
                r = rnd()
                priority = "low" if r < 0.25 else "normal" if r < 0.70 else "high" if r < 0.92 else "urgent"
                r = rnd()
                cw = (0.3, 0.6, 0.8) if leaving else (0.35, 0.65, 0.9)
                category = "question" if r < cw[0] else "incident" if r < cw[1] else "request" if r < cw[2] \
                    else "complaint"
                sla = SLA_HOURS[priority]
                first = round(sla * rng.uniform(0.15, 1.4), 1)
                fcr = rnd() < (0.55 if category in ("question", "request") else 0.3)
                if fcr:
                    res_h = round(max(first, rng.uniform(0.5, 8.0)), 1)
                else:
                    res_h = round(first + rng.uniform(*RES_RANGE[priority]), 1)
                resolved = opened + int(res_h // 24)
                if resolved > DATA_END or (opened > ORD(D(2025, 12, 1)) and rnd() < 0.3):
                    resolved, res_h = None, None
                escalated = rnd() < (0.3 if category == "complaint" else 0.08)
                tks.append((opened, priority, category, f"{first:.1f}", f"{sla:.1f}",
                            DS[resolved - BASE] if resolved is not None else "",
                            f"{res_h:.1f}" if res_h is not None else "",
                            TF[fcr and resolved is not None], TF[escalated]))
                tickets_q[QIDX[opened - QIDX_BASE]] += 1
        tks.sort()
        for t in tks:
            R["support_tickets"].append((f"TK{self.next_id('support_tickets'):08d}", aid, DS[t[0] - BASE]) + t[1:])

        # -------------------------------------------------------------- contracts
        if s_o is not None:
            yearly_rev = sum(q_rev[:4]) or sum(q_rev[4:])
            value = cents(yearly_rev / 100 * rng.uniform(0.5, 0.7) + 10000)
            addon = rnd() < 0.45
            addon_value = cents(value / 100 * rng.uniform(0.1, 0.25))
            addon_alive = True
            for y in range(max(since.year, 2023), 2026):
                start = ORD(since.replace(year=y))
                end = ORD(since.replace(year=y + 1)) - 1
                if c_o is not None and start >= c_o:
                    break
                renewal_value = cents(value / 100 * rng.uniform(0.92, 1.12))
                if c_o is not None and end == c_o - 1:
                    status, renewed = "lost", None
                elif end > DATA_END:
                    status, renewed = "pending", None
                elif end > ORD(D(2025, 11, 30)) and rnd() < 0.5:
                    status, renewed = "pending", None
                else:
                    status, renewed = "renewed", renewal_value
                R["contracts"].append((f"C{self.next_id('contracts'):08d}", aid, DS[start - BASE], DS[end - BASE],
                                       m(value), status, m(renewed) if renewed is not None else ""))
                if addon and addon_alive:
                    drop = rnd() < 0.2 and end <= DATA_END
                    a_status = "lost" if (status == "lost" or drop) else status
                    a_renewed = cents(addon_value / 100 * rng.uniform(0.95, 1.1)) if a_status == "renewed" else None
                    R["contracts"].append((f"C{self.next_id('contracts'):08d}", aid, DS[start - BASE],
                                           DS[end - BASE], m(addon_value), a_status,
                                           m(a_renewed) if a_renewed is not None else ""))
                    if a_status == "lost":
                        addon_alive = False
                    elif a_renewed is not None:
                        addon_value = a_renewed
                if status != "renewed":
                    break
                value = renewal_value

        # ---------------------------------------------------------- service costs
        for k, (y, qn, qs, qe) in enumerate(QUARTERS):
            win = window(qs, qe)
            if win is None:
                continue
            booked = DS[win[1] - BASE]
            rev = q_rev[k] / 100
            items = []
            if key:
                items.append(("account_management", AM_COST[tier] * rng.uniform(0.8, 1.2)))
            items.append(("customer_support", 400 + 350 * tickets_q[k] * rng.uniform(0.8, 1.2)))
            items.append(("logistics", 150 + rev * rng.uniform(0.015, 0.03)))
            items.append(("overhead_allocation", 300 + rev * 0.03))
            for cost_type, amount in items:
                R["service_costs"].append((f"SC{self.next_id('service_costs'):09d}", aid, booked, cost_type,
                                           m(cents(amount))))


NPS_LEAVING = [1] * 5 + [2, 3, 3, 3, 1, 1]
NPS_HAPPY = [0, 0, 0, 1, 1, 1, 2, 4, 6, 6, 4]
CSAT_LEAVING = [3, 3, 3, 2, 1]
CSAT_HAPPY = [1, 1, 3, 8, 6]
CES_LEAVING = [1, 1, 2, 3, 3, 2, 1]
CES_HAPPY = [4, 6, 5, 3, 2, 1, 0]


# ---------------------------------------------------------------------------- validate

def validate(out):
    """Re-reads the written files and checks keys, empty cells and the conventions."""
    optional = {"accounts": {"customer_since", "churned_on"}, "orders": {"discount"},
                "opportunities": {"lead_id", "closed_on"}, "leads": {"converted_on"},
                "touchpoints": {"attended"}, "business_reviews": {"held_on"}, "surveys": {"score"},
                "support_tickets": {"resolved_on", "resolution_hours"}, "contracts": {"renewed_value"},
                "account_products": {"first_purchased_on"}}
    plan_cols = {("revenue_plans", "quarter_start"), ("account_plans", "valid_from")}
    date_re = re.compile(r"^\d{4}-\d{2}-\d{2}$")
    money_re = re.compile(r"^\d+\.\d{2}$")
    money_cols = {"revenue_potential", "revenue", "cost", "discount", "amount", "annual_value", "renewed_value",
                  "target_revenue", "forecast_revenue", "annual_potential"}
    date_cols = {"customer_since", "churned_on", "order_date", "created_on", "closed_on", "converted_on", "held_on",
                 "planned_for", "valid_from", "valid_to", "sent_on", "opened_on", "resolved_on", "start_date",
                 "end_date", "quarter_start", "first_purchased_on", "booked_on"}
    bool_cols = {"is_key_account", "qualified", "converted", "executive_involved", "attended", "responded",
                 "resolved_first_contact", "escalated"}
    acc = {}
    keys_of = {}
    first_order = {}
    for table, cols in COLUMNS.items():
        keys = set()
        with open(os.path.join(out, f"{table}.csv"), newline="", encoding="utf-8") as f:
            rd = csv.reader(f)
            assert next(rd) == cols, f"{table}: header"
            for line, row in enumerate(rd, start=2):
                assert len(row) == len(cols), (table, line)
                r = dict(zip(cols, row))
                assert r[cols[0]] not in keys, f"{table}:{line}: duplicate key"
                keys.add(r[cols[0]])
                for c, v in r.items():
                    if v == "":
                        assert c in optional.get(table, ()), f"{table}:{line}: empty {c}"
                        continue
                    if c in date_cols:
                        assert date_re.match(v), (table, line, c, v)
                        if v == "2024-01-01":
                            assert (table, c) in plan_cols, f"{table}:{line}: {c} on 2024-01-01"
                    elif c in money_cols:
                        assert money_re.match(v), (table, line, c, v)
                    elif c in bool_cols:
                        assert v in TF, (table, line, c, v)
                if table == "accounts":
                    acc[r["account_id"]] = (r["customer_since"] or None, r["churned_on"] or None)
                    if r["churned_on"]:
                        assert r["customer_since"] and r["customer_since"] < r["churned_on"], r
                elif "account_id" in r:
                    assert r["account_id"] in acc, f"{table}:{line}: unknown account"
                dcol = {"orders": "order_date", "support_tickets": "opened_on", "surveys": "sent_on",
                        "service_costs": "booked_on"}.get(table)
                if dcol:
                    s, c = acc[r["account_id"]]
                    assert s is not None and s <= r[dcol] and (c is None or r[dcol] < c), \
                        f"{table}:{line}: outside the customer window"
                if table == "orders":
                    k = (r["account_id"], r["product_line"])
                    if k not in first_order or r["order_date"] < first_order[k]:
                        first_order[k] = r["order_date"]
                if table == "opportunities":
                    assert (r["closed_on"] == "") == (r["status"] == "open"), r
                    assert r["closed_on"] == "" or r["closed_on"] >= r["created_on"], r
                if table == "support_tickets":
                    assert (r["resolved_on"] == "") == (r["resolution_hours"] == ""), r
                if table == "account_products":
                    k = (r["account_id"], r["product_line"])
                    keys_of[k] = r["first_purchased_on"]
    for k, d in first_order.items():
        fp = keys_of.get(k, "")
        assert fp and fp <= d, f"order of a line without first purchase: {k}"
        if fp >= "2024-01-02":
            assert fp == d, f"first order {d} differs from first_purchased_on {fp}: {k}"
    print("validate: ok", file=sys.stderr)


# -------------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--accounts", type=int, default=1000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=20250)
    ap.add_argument("--batch", type=int, default=2000, help="accounts per write batch")
    ap.add_argument("--validate", action="store_true", help="re-read the files and check the conventions")
    args = ap.parse_args()
    check_model(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.makedirs(args.out, exist_ok=True)
    g = Gen(args.seed)
    g.n_managers = max(5, args.accounts // 150)
    files, writers = {}, {}
    for t, cols in COLUMNS.items():
        files[t] = open(os.path.join(args.out, f"{t}.csv"), "w", newline="", encoding="utf-8",
                        buffering=1 << 20)
        writers[t] = csv.writer(files[t], lineterminator="\n")
        writers[t].writerow(cols)
    counts = {t: 0 for t in COLUMNS}
    t0 = time.perf_counter()

    def flush():
        for t, rows in g.rows.items():
            if rows:
                writers[t].writerows(rows)
                counts[t] += len(rows)
                rows.clear()

    tty = sys.stderr.isatty()
    every = max(args.batch, (args.accounts // 10 // args.batch) * args.batch)  # ~10 lines when not a terminal

    def progress(done, end):
        cr = "\r" if tty else ""
        print(f"{cr}{done}/{args.accounts} accounts, {counts['orders']:,} orders, "
              f"{time.perf_counter() - t0:.1f} s", end=end, file=sys.stderr, flush=True)

    for i in range(args.accounts):
        g.account(i)
        if (i + 1) % args.batch == 0:
            flush()
            if tty:
                progress(i + 1, "")
            elif (i + 1) % every == 0 and i + 1 < args.accounts:
                progress(i + 1, "\n")
    flush()
    for f in files.values():
        f.close()
    progress(args.accounts, "\n")
    total = 0
    for t in COLUMNS:
        print(f"{t:18} {counts[t]:>11,} rows", file=sys.stderr)
        total += counts[t]
    print(f"{'total':18} {total:>11,} rows in {time.perf_counter() - t0:.1f} s -> {args.out}", file=sys.stderr)
    if args.validate:
        validate(args.out)


if __name__ == "__main__":
    main()
