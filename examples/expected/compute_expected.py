#!/usr/bin/env python3
"""Expected values of every catalog KPI on the bundled example dataset.

Computed independently of kpic: plain Python (standard library only) over the CSV
files in examples/data, following the evaluation semantics of LANGUAGE.md. The
.kpi files are NOT read; every KPI is re-implemented below, with the formula it
implements in a comment.

Semantics followed (LANGUAGE.md):
  - A period is [start, end], both inclusive; period.days = end - start + 1.
  - Rows of a table with a time column are kept when that date falls in the period;
    `dated T.col` uses another date column (a missing date is never in a period);
    `all time` keeps every row; `accounts` and `account_products` have no time
    column and are never period-filtered.
  - previous(x) evaluates x over the period of equal length ending the day before
    period.start; year_ago(x) over the same dates one year earlier.
  - sum / avg over no rows is missing; count over no rows is 0; missing cells are
    skipped by sum / avg / count(T.col).
  - `where` treats a missing condition as false.
  - Division by zero, or any missing operand, gives missing (null in the JSON).
  - Percent KPIs are fractions (0.25 means 25%).
  - Money is exact (decimal); money results are written as decimal strings rounded
    half-up to the cent. Other numbers are written as floats.

Scopes: "portfolio" (every account) and one scope per industry (the accounts of that
industry and the rows of every table that belong to them).

Writes:
  examples/expected/2025.json              portfolio, period 2025
  examples/expected/2025-Q4.json           portfolio, period 2025-10-01 .. 2025-12-31
  examples/expected/2025_by_industry.json  each industry, period 2025

Usage: python3 examples/expected/compute_expected.py
"""

import csv
import datetime as dt
import json
import os
from decimal import Decimal, ROUND_HALF_UP, getcontext

getcontext().prec = 50

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
FAR = dt.date(9999, 12, 31)
DAYS_PER_YEAR = Decimal(365)

# Column types of the canonical model (kpis/model.kpi), written out again here so the
# loader does not depend on kpic. "?" marks optional columns.
SCHEMA = {
    "accounts": {"account_id": "text", "name": "text", "industry": "text", "region": "text", "tier": "text",
                 "potential_band": "text", "account_manager": "text", "is_key_account": "bool",
                 "customer_since": "date?", "churned_on": "date?", "revenue_potential": "money"},
    "orders": {"order_id": "text", "account_id": "text", "order_date": "date", "product_line": "text",
               "revenue": "money", "cost": "money", "discount": "money?"},
    "opportunities": {"opportunity_id": "text", "account_id": "text", "lead_id": "text?", "created_on": "date",
                      "closed_on": "date?", "stage": "text", "status": "text", "qualified": "bool",
                      "product_line": "text", "amount": "money"},
    "leads": {"lead_id": "text", "account_id": "text", "created_on": "date", "source": "text",
              "converted": "bool", "converted_on": "date?"},
    "touchpoints": {"touchpoint_id": "text", "account_id": "text", "held_on": "date", "kind": "text",
                    "contact_id": "text", "executive_involved": "bool", "attended": "bool?"},
    "business_reviews": {"review_id": "text", "account_id": "text", "planned_for": "date", "held_on": "date?"},
    "account_plans": {"plan_id": "text", "account_id": "text", "valid_from": "date", "valid_to": "date",
                      "status": "text", "objectives_set": "int", "objectives_met": "int"},
    "surveys": {"survey_id": "text", "account_id": "text", "sent_on": "date", "kind": "text",
                "responded": "bool", "score": "int?"},
    "support_tickets": {"ticket_id": "text", "account_id": "text", "opened_on": "date", "priority": "text",
                        "category": "text", "first_response_hours": "number", "sla_response_hours": "number",
                        "resolved_on": "date?", "resolution_hours": "number?", "resolved_first_contact": "bool",
                        "escalated": "bool"},
    "contracts": {"contract_id": "text", "account_id": "text", "start_date": "date", "end_date": "date",
                  "annual_value": "money", "renewal_status": "text", "renewed_value": "money?"},
    "revenue_plans": {"plan_id": "text", "account_id": "text", "quarter_start": "date",
                      "target_revenue": "money", "forecast_revenue": "money"},
    "account_products": {"account_product_id": "text", "account_id": "text", "product_line": "text",
                         "annual_potential": "money", "first_purchased_on": "date?"},
    "service_costs": {"cost_id": "text", "account_id": "text", "booked_on": "date", "cost_type": "text",
                      "amount": "money"},
}
# The time column of each table (None: never period-filtered).
TIME = {"accounts": None, "orders": "order_date", "opportunities": "created_on", "leads": "created_on",
        "touchpoints": "held_on", "business_reviews": "planned_for", "account_plans": "valid_from",
        "surveys": "sent_on", "support_tickets": "opened_on", "contracts": "end_date",
        "revenue_plans": "quarter_start", "account_products": None, "service_costs": "booked_on"}


def parse(value, kind):
    optional = kind.endswith("?")
    kind = kind.rstrip("?")
    if value == "":
        if not optional:
            raise ValueError(f"empty cell in required column ({kind})")
        return None
    if kind == "text":
        return value
    if kind == "bool":
        return {"true": True, "false": False}[value]
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "int":
        return int(value)
    if kind == "number":
        return Decimal(value)
    if kind == "money":
        return Decimal(value)
    raise ValueError(kind)


def load():
    tables = {}
    for name, cols in SCHEMA.items():
        with open(os.path.join(DATA, f"{name}.csv"), newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            assert reader.fieldnames == list(cols), (name, reader.fieldnames)
            tables[name] = [{c: parse(r[c], t) for c, t in cols.items()} for r in reader]
    return tables


class Period:
    def __init__(self, start, end):
        self.start, self.end = start, end
        self.days = (end - start).days + 1

    def previous(self):
        return Period(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))

    def year_ago(self):
        # The same dates one year earlier (29 February becomes the 28th).
        def back(d):
            try:
                return d.replace(year=d.year - 1)
            except ValueError:
                return d.replace(year=d.year - 1, day=28)
        return Period(back(self.start), back(self.end))

    def has(self, d):
        return d is not None and self.start <= d <= self.end


class Scope:
    """The rows of one scope, plus helpers that mirror the language's aggregates."""

    def __init__(self, tables, account_ids):
        self.acc = {a["account_id"]: a for a in tables["accounts"] if a["account_id"] in account_ids}
        self.t = {name: [r for r in rows if r["account_id"] in self.acc] for name, rows in tables.items()}

    def rows(self, table, p, where=lambda r, a: True, dated=None, all_time=False):
        """Rows of `table` kept by the period filter and the where condition.
        `where` gets the row and the row's account (the `accounts.` columns)."""
        col = dated or TIME[table]
        out = []
        for r in self.t[table]:
            if col is not None and not all_time and not p.has(r[col]):
                continue
            if where(r, self.acc[r["account_id"]]) is True:
                out.append(r)
        return out


# ----------------------------------------------------------------- arithmetic helpers

def div(a, b):
    if a is None or b is None or b == 0:
        return None
    return Decimal(a) / Decimal(b)


def sub(a, b):
    return None if a is None or b is None else a - b


def mul(a, b):
    return None if a is None or b is None else Decimal(a) * Decimal(b)


def dsum(values):
    values = [v for v in values if v is not None]
    return sum(values, Decimal(0)) if values else None


def davg(values):
    values = [Decimal(v) for v in values if v is not None]
    return sum(values, Decimal(0)) / len(values) if values else None


def churn_date(a):
    return a["churned_on"] or FAR


# Account lifecycle predicates (an account is a customer from customer_since up to the
# day before churned_on; empty customer_since = prospect).
def customer_at_start(a, p):   # customer_since < start and coalesce(churned_on, far) >= start
    return a["customer_since"] is not None and a["customer_since"] < p.start and churn_date(a) >= p.start


def customer_at_end(a, p):     # customer_since <= end and coalesce(churned_on, far) > end
    return a["customer_since"] is not None and a["customer_since"] <= p.end and churn_date(a) > p.end


def active(a, p):              # customer_since <= end and coalesce(churned_on, far) >= start
    return a["customer_since"] is not None and a["customer_since"] <= p.end and churn_date(a) >= p.start


# ------------------------------------------------------------------------- measures

def m_revenue(s, p):               # sum(orders.revenue)
    return dsum(r["revenue"] for r in s.rows("orders", p))


def m_gross_profit(s, p):          # sum(orders.revenue - orders.cost)
    return dsum(r["revenue"] - r["cost"] for r in s.rows("orders", p))


def m_order_count(s, p):           # count(orders)
    return len(s.rows("orders", p))


def m_buying_accounts(s, p):       # count_distinct(orders.account_id)
    return len({r["account_id"] for r in s.rows("orders", p)})


def m_key_account_revenue(s, p):   # sum(orders.revenue where accounts.is_key_account)
    return dsum(r["revenue"] for r in s.rows("orders", p, lambda r, a: a["is_key_account"]))


def m_service_cost(s, p):          # sum(service_costs.amount)
    return dsum(r["amount"] for r in s.rows("service_costs", p))


def m_direct_service_cost(s, p):   # sum(service_costs.amount where cost_type != "overhead_allocation")
    return dsum(r["amount"] for r in s.rows("service_costs", p, lambda r, a: r["cost_type"] != "overhead_allocation"))


def m_revenue_target(s, p):        # sum(revenue_plans.target_revenue)
    return dsum(r["target_revenue"] for r in s.rows("revenue_plans", p))


def count_accounts(s, pred):
    return sum(1 for a in s.acc.values() if pred(a) is True)


def m_accounts_at_start(s, p):
    return count_accounts(s, lambda a: customer_at_start(a, p))


def m_accounts_at_end(s, p):
    return count_accounts(s, lambda a: customer_at_end(a, p))


def m_accounts_acquired(s, p):     # customer_since in [start, end]
    return count_accounts(s, lambda a: p.has(a["customer_since"]))


def m_accounts_lost(s, p):         # churned_on in [start, end]
    return count_accounts(s, lambda a: p.has(a["churned_on"]))


def m_active_accounts(s, p):
    return count_accounts(s, lambda a: active(a, p))


def m_active_key_accounts(s, p):
    return count_accounts(s, lambda a: a["is_key_account"] and active(a, p))


def m_key_accounts_at_start(s, p):
    return count_accounts(s, lambda a: a["is_key_account"] and customer_at_start(a, p))


def m_annualisation(p):            # days_per_year / period.days, days_per_year = 365
    return DAYS_PER_YEAR / Decimal(p.days)


# ----------------------------------------------------------------------------- KPIs
# Each function returns Decimal/float (a value), None (missing) or a dict (breakdown).
# MONEY lists the KPIs whose values are money.

MONEY = {"annual_revenue_per_account", "average_order_value", "average_deal_size", "sales_pipeline",
         "gross_margin_per_account", "customer_lifetime_value"}

K = {}


def kpi(f):
    K[f.__name__] = f
    return f


# ---- revenue

@kpi
def sales_growth(s, p):
    # (revenue - previous(revenue)) / previous(revenue)
    cur, prev = m_revenue(s, p), m_revenue(s, p.previous())
    return div(sub(cur, prev), prev)


@kpi
def revenue_growth_rate(s, p):
    # (key_account_revenue - year_ago(key_account_revenue)) / year_ago(key_account_revenue):
    # year over year, the same dates one year earlier
    cur, ago = m_key_account_revenue(s, p), m_key_account_revenue(s, p.year_ago())
    return div(sub(cur, ago), ago)


@kpi
def annual_revenue_per_account(s, p):
    # revenue * (365 / period.days) / active_accounts
    return div(mul(m_revenue(s, p), m_annualisation(p)), m_active_accounts(s, p))


@kpi
def average_order_value(s, p):
    # revenue / count(orders)
    return div(m_revenue(s, p), m_order_count(s, p))


@kpi
def purchase_frequency(s, p):
    # count(orders) * (365 / period.days) / active_accounts
    return div(mul(m_order_count(s, p), m_annualisation(p)), m_active_accounts(s, p))


@kpi
def average_deal_size(s, p):
    # avg(opportunities.amount where status == "won" dated closed_on)
    return davg(r["amount"] for r in s.rows("opportunities", p, lambda r, a: r["status"] == "won", dated="closed_on"))


@kpi
def sales_pipeline(s, p):
    # breakdown by opportunities.stage of
    # sum(opportunities.amount where created_on <= period.end
    #     and coalesce(closed_on, 9999-12-31) > period.end all time)
    out = {}
    for r in s.rows("opportunities", p, lambda r, a: r["created_on"] <= p.end and (r["closed_on"] or FAR) > p.end,
                    all_time=True):
        out[r["stage"]] = out.get(r["stage"], Decimal(0)) + r["amount"]
    return dict(sorted(out.items()))


@kpi
def pipeline_coverage(s, p):
    # sum(opportunities.amount where created_on < period.start
    #     and coalesce(closed_on, 9999-12-31) >= period.start all time) / revenue_target
    opening = dsum(r["amount"] for r in s.rows(
        "opportunities", p, lambda r, a: r["created_on"] < p.start and (r["closed_on"] or FAR) >= p.start,
        all_time=True))
    return div(opening, m_revenue_target(s, p))


@kpi
def revenue_target_attainment(s, p):
    # revenue / sum(revenue_plans.target_revenue)
    return div(m_revenue(s, p), m_revenue_target(s, p))


# ---- customer satisfaction

def survey_scores(s, p, kind):
    return [r["score"] for r in s.rows("surveys", p, lambda r, a: r["kind"] == kind) if r["score"] is not None]


@kpi
def net_promoter_score(s, p):
    # (count(nps scores >= 9) - count(nps scores <= 6)) / count(nps scores) * 100
    scores = survey_scores(s, p, "nps")
    promoters = sum(1 for x in scores if x >= 9)
    detractors = sum(1 for x in scores if x <= 6)
    return mul(div(promoters - detractors, len(scores)), 100)


@kpi
def customer_satisfaction_score(s, p):
    # count(csat scores >= 4) / count(csat scores)
    scores = survey_scores(s, p, "csat")
    return div(sum(1 for x in scores if x >= 4), len(scores))


@kpi
def detractor_rate(s, p):
    # count(nps scores <= 6) / count(nps scores)
    scores = survey_scores(s, p, "nps")
    return div(sum(1 for x in scores if x <= 6), len(scores))


@kpi
def customer_effort_score(s, p):
    # avg(surveys.score where kind == "ces" and score is not missing)
    return davg(survey_scores(s, p, "ces"))


@kpi
def survey_response_rate(s, p):
    # count(surveys where responded) / count(surveys)
    rows = s.rows("surveys", p)
    return div(sum(1 for r in rows if r["responded"]), len(rows))


@kpi
def complaint_rate(s, p):
    # count(support_tickets where category == "complaint") / count(orders)
    complaints = len(s.rows("support_tickets", p, lambda r, a: r["category"] == "complaint"))
    return div(complaints, m_order_count(s, p))


# ---- engagement

@kpi
def number_of_touchpoints(s, p):
    # count(touchpoints)
    return len(s.rows("touchpoints", p))


@kpi
def touchpoints_per_account(s, p):
    # count(touchpoints where account active in the period) / active_accounts
    return div(len(s.rows("touchpoints", p, lambda r, a: active(a, p))), m_active_accounts(s, p))


@kpi
def meeting_attendance_rate(s, p):
    # count(touchpoints where coalesce(attended, false)) / count(touchpoints.attended)
    rows = s.rows("touchpoints", p)
    return div(sum(1 for r in rows if r["attended"] is True), sum(1 for r in rows if r["attended"] is not None))


@kpi
def executive_engagement_rate(s, p):
    # count_distinct(touchpoints.account_id where executive_involved and account active) / active_accounts
    rows = s.rows("touchpoints", p, lambda r, a: r["executive_involved"] and active(a, p))
    return div(len({r["account_id"] for r in rows}), m_active_accounts(s, p))


@kpi
def qbr_completion_rate(s, p):
    # count(business_reviews.held_on) / count(business_reviews)   (dated planned_for)
    rows = s.rows("business_reviews", p)
    return div(sum(1 for r in rows if r["held_on"] is not None), len(rows))


@kpi
def stakeholder_breadth(s, p):
    # count_distinct(touchpoints.contact_id where account active) / active_accounts
    rows = s.rows("touchpoints", p, lambda r, a: active(a, p))
    return div(len({r["contact_id"] for r in rows}), m_active_accounts(s, p))


@kpi
def account_plan_coverage(s, p):
    # count_distinct(account_plans.account_id where status == "approved" and valid_from <= end
    #   and valid_to >= start and is_key_account and account active all time) / active_key_accounts
    rows = s.rows("account_plans", p, lambda r, a: r["status"] == "approved" and r["valid_from"] <= p.end
                  and r["valid_to"] >= p.start and a["is_key_account"] and active(a, p), all_time=True)
    return div(len({r["account_id"] for r in rows}), m_active_key_accounts(s, p))


@kpi
def plan_objective_attainment(s, p):
    # sum(objectives_met where approved dated valid_to) / sum(objectives_set where approved dated valid_to)
    rows = s.rows("account_plans", p, lambda r, a: r["status"] == "approved", dated="valid_to")
    return div(dsum(r["objectives_met"] for r in rows), dsum(r["objectives_set"] for r in rows))


# ---- operational efficiency

@kpi
def average_response_time(s, p):
    # avg(support_tickets.first_response_hours)   (dated opened_on)
    return davg(r["first_response_hours"] for r in s.rows("support_tickets", p))


@kpi
def issue_resolution_time(s, p):
    # avg(resolution_hours where resolution_hours is not missing dated resolved_on)
    return davg(r["resolution_hours"] for r in s.rows(
        "support_tickets", p, lambda r, a: r["resolution_hours"] is not None, dated="resolved_on"))


@kpi
def sla_compliance_rate(s, p):
    # count(tickets where first_response_hours <= sla_response_hours) / count(tickets)
    rows = s.rows("support_tickets", p)
    return div(sum(1 for r in rows if r["first_response_hours"] <= r["sla_response_hours"]), len(rows))


@kpi
def first_contact_resolution_rate(s, p):
    # count(tickets where resolved_first_contact, dated resolved_on) / count(tickets dated resolved_on)
    rows = s.rows("support_tickets", p, lambda r, a: r["resolved_on"] is not None, dated="resolved_on")
    return div(sum(1 for r in rows if r["resolved_first_contact"]), len(rows))


@kpi
def time_to_close(s, p):
    # avg(days_between(created_on, closed_on) where status == "won" dated closed_on)
    rows = s.rows("opportunities", p, lambda r, a: r["status"] == "won" and r["closed_on"] is not None,
                  dated="closed_on")
    return davg((r["closed_on"] - r["created_on"]).days for r in rows)


@kpi
def sales_conversion_rate(s, p):
    # count(leads where converted) / count(leads)   (dated created_on)
    rows = s.rows("leads", p)
    return div(sum(1 for r in rows if r["converted"]), len(rows))


@kpi
def win_rate(s, p):
    # count(opps won and qualified dated closed_on) / count(opps qualified and status != "open" dated closed_on)
    rows = s.rows("opportunities", p, lambda r, a: r["qualified"] and r["status"] != "open", dated="closed_on")
    return div(sum(1 for r in rows if r["status"] == "won"), len(rows))


@kpi
def forecast_accuracy(s, p):
    # 1 - abs(sum(revenue_plans.forecast_revenue) - revenue) / revenue
    forecast = dsum(r["forecast_revenue"] for r in s.rows("revenue_plans", p))
    revenue = m_revenue(s, p)
    err = sub(forecast, revenue)
    ratio = div(abs(err) if err is not None else None, revenue)
    return None if ratio is None else 1 - ratio


# ---- market penetration

def whitespace_rows(s, p, bought):
    # account_products of accounts that are customers at period end; optionally only lines
    # with first_purchased_on <= period.end
    return s.rows("account_products", p, lambda r, a: customer_at_end(a, p) and (
        not bought or (r["first_purchased_on"] is not None and r["first_purchased_on"] <= p.end)))


@kpi
def account_coverage_ratio(s, p):
    # count_distinct(touchpoints.account_id where is_key_account and coalesce(churned_on, far) >= start)
    #   / count(accounts where is_key_account and coalesce(churned_on, far) >= start)
    possible = lambda a: a["is_key_account"] and churn_date(a) >= p.start
    covered = {r["account_id"] for r in s.rows("touchpoints", p, lambda r, a: possible(a))}
    return div(len(covered), count_accounts(s, possible))


@kpi
def account_penetration_index(s, p):
    # avg(bought lines / whitespace lines per accounts where customer at end): the mean
    # of each customer's own penetration; an account without whitespace rows has none
    # (division by zero) and is left out of the mean
    lines, bought = {}, {}
    for r in s.t["account_products"]:
        lines[r["account_id"]] = lines.get(r["account_id"], 0) + 1
        if r["first_purchased_on"] is not None and r["first_purchased_on"] <= p.end:
            bought[r["account_id"]] = bought.get(r["account_id"], 0) + 1
    ratios = [bought.get(aid, 0) / lines[aid]
              for aid, a in s.acc.items() if customer_at_end(a, p) and lines.get(aid)]
    return sum(ratios) / len(ratios) if ratios else None


@kpi
def account_saturation_index(s, p):
    # sum(annual_potential of bought rows) / sum(annual_potential of all rows), customers at end
    return div(dsum(r["annual_potential"] for r in whitespace_rows(s, p, True)),
               dsum(r["annual_potential"] for r in whitespace_rows(s, p, False)))


@kpi
def market_share_percentage(s, p):
    # revenue * (365 / period.days) / sum(accounts.revenue_potential)   (all accounts in scope)
    wallets = dsum(a["revenue_potential"] for a in s.acc.values())
    return div(mul(m_revenue(s, p), m_annualisation(p)), wallets)


@kpi
def account_expansion_rate(s, p):
    # sum(orders.revenue where orders.product.first_purchased_on >= period.start, of accounts
    #   that are customers at period start) / sum(orders.revenue of those accounts), where
    #   orders.product is the account_products row of the order's account_id AND product_line
    first = {(r["account_id"], r["product_line"]): r["first_purchased_on"] for r in s.t["account_products"]}
    rows = s.rows("orders", p, lambda r, a: customer_at_start(a, p))
    new_lines = [r for r in rows
                 if first[(r["account_id"], r["product_line"])] is not None
                 and first[(r["account_id"], r["product_line"])] >= p.start]
    return div(dsum(r["revenue"] for r in new_lines), dsum(r["revenue"] for r in rows))


@kpi
def share_of_wallet(s, p):
    # revenue * (365 / period.days) / sum(accounts.revenue_potential where account active)
    wallets = dsum(a["revenue_potential"] for a in s.acc.values() if active(a, p))
    return div(mul(m_revenue(s, p), m_annualisation(p)), wallets)


@kpi
def products_per_account(s, p):
    # count(bought whitespace rows of customers at end) / accounts_at_end
    return div(len(whitespace_rows(s, p, True)), m_accounts_at_end(s, p))


@kpi
def new_account_acquisition_rate(s, p):
    # accounts_acquired / accounts_at_start
    return div(m_accounts_acquired(s, p), m_accounts_at_start(s, p))


# ---- profitability

@kpi
def gross_margin_per_account(s, p):
    # sum(orders.revenue - orders.cost) / count_distinct(orders.account_id)
    return div(m_gross_profit(s, p), m_buying_accounts(s, p))


@kpi
def gross_margin_percentage(s, p):
    # sum(orders.revenue - orders.cost) / sum(orders.revenue)
    return div(m_gross_profit(s, p), m_revenue(s, p))


@kpi
def net_profit_margin(s, p):
    # (gross_profit - sum(service_costs.amount)) / revenue
    return div(sub(m_gross_profit(s, p), m_service_cost(s, p)), m_revenue(s, p))


@kpi
def profit_margin_per_key_account(s, p):
    # (sum(revenue - cost where key) - sum(service cost where not overhead and key)) / key_account_revenue
    gp = dsum(r["revenue"] - r["cost"] for r in s.rows("orders", p, lambda r, a: a["is_key_account"]))
    sc = dsum(r["amount"] for r in s.rows(
        "service_costs", p, lambda r, a: r["cost_type"] != "overhead_allocation" and a["is_key_account"]))
    return div(sub(gp, sc), m_key_account_revenue(s, p))


@kpi
def cost_to_serve_ratio(s, p):
    # direct_service_cost / revenue
    return div(m_direct_service_cost(s, p), m_revenue(s, p))


@kpi
def customer_lifetime_value(s, p):
    # average_order_value * purchase_frequency / (churn_rate * 365 / period.days)
    return div(mul(average_order_value(s, p), purchase_frequency(s, p)),
               mul(churn_rate(s, p), m_annualisation(p)))


@kpi
def average_discount_rate(s, p):
    # sum(coalesce(discount, 0)) / sum(revenue + coalesce(discount, 0))
    rows = s.rows("orders", p)
    return div(dsum((r["discount"] or Decimal(0)) for r in rows),
               dsum(r["revenue"] + (r["discount"] or Decimal(0)) for r in rows))


# ---- retention

@kpi
def customer_retention_rate(s, p):
    # (accounts_at_end - accounts_acquired) / accounts_at_start
    return div(m_accounts_at_end(s, p) - m_accounts_acquired(s, p), m_accounts_at_start(s, p))


@kpi
def churn_rate(s, p):
    # accounts_lost / accounts_at_start
    return div(m_accounts_lost(s, p), m_accounts_at_start(s, p))


@kpi
def account_retention_rate(s, p):
    # count(key accounts with customer_since < start and coalesce(churned_on, far) > end)
    #   / key_accounts_at_start
    kept = count_accounts(s, lambda a: a["is_key_account"] and a["customer_since"] is not None
                          and a["customer_since"] < p.start and churn_date(a) > p.end)
    return div(kept, m_key_accounts_at_start(s, p))


@kpi
def net_revenue_retention(s, p):
    # The cohort of accounts that were customers before the previous period began, on
    # both sides: revenue this period over their revenue in the previous period.
    q = p.previous()
    cur = dsum(r["revenue"] for r in s.rows(
        "orders", p, lambda r, a: a["customer_since"] is not None and a["customer_since"] < q.start))
    prev = dsum(r["revenue"] for r in s.rows(
        "orders", q, lambda r, a: a["customer_since"] is not None and a["customer_since"] < q.start))
    return div(cur, prev)


@kpi
def renewal_rate(s, p):
    # count(contracts where renewal_status == "renewed") / count(contracts where renewal_status != "pending")
    rows = s.rows("contracts", p, lambda r, a: r["renewal_status"] != "pending")
    return div(sum(1 for r in rows if r["renewal_status"] == "renewed"), len(rows))


@kpi
def renewal_value_retention(s, p):
    # sum(coalesce(renewed_value, 0) where status != "pending") / sum(annual_value where status != "pending")
    rows = s.rows("contracts", p, lambda r, a: r["renewal_status"] != "pending")
    return div(dsum((r["renewed_value"] or Decimal(0)) for r in rows), dsum(r["annual_value"] for r in rows))


@kpi
def average_customer_tenure(s, p):
    # avg(days_between(customer_since, period.end) where customer at end) / 365
    days = [(p.end - a["customer_since"]).days for a in s.acc.values() if customer_at_end(a, p)]
    return div(davg(days), DAYS_PER_YEAR)


# ----------------------------------------------------------------------------- output

def render(kpi_id, value):
    if value is None:
        return None
    if isinstance(value, dict):
        return {k: render(kpi_id, v) for k, v in value.items()}
    if kpi_id in MONEY:
        return str(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return float(value)


def evaluate(scope, period):
    return {kpi_id: render(kpi_id, f(scope, period)) for kpi_id, f in K.items()}


def write(name, doc):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")


def main():
    tables = load()
    all_ids = {a["account_id"] for a in tables["accounts"]}
    portfolio = Scope(tables, all_ids)
    year = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    q4 = Period(dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    write("2025.json", {"period": "2025", "scope": "portfolio", "values": evaluate(portfolio, year)})
    write("2025-Q4.json", {"period": "2025-Q4", "scope": "portfolio", "values": evaluate(portfolio, q4)})
    industries = sorted({a["industry"] for a in tables["accounts"]})
    by = {}
    for ind in industries:
        scope = Scope(tables, {a["account_id"] for a in tables["accounts"] if a["industry"] == ind})
        for kpi_id, v in evaluate(scope, year).items():
            by.setdefault(kpi_id, {})[ind] = v
    write("2025_by_industry.json", {"period": "2025", "scope": "industry", "values": by})
    print(f"{len(K)} KPIs; wrote 2025.json, 2025-Q4.json, 2025_by_industry.json")


if __name__ == "__main__":
    main()
