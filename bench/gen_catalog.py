#!/usr/bin/env python3
"""Writes a synthetic catalog of N KPIs (default 20,000) for the `kpic check` benchmark.

Deterministic (fixed seed). The KPIs use the shipped data model and categories
(copied from kpis/) and realistic formulas: filtered aggregates over every table,
ratios, previous-period comparisons, conditionals, coalesce, and references to
earlier KPIs and measures. Each KPI carries all twelve documentation attributes, so the
catalog checks with no diagnostics and the timing covers the whole pipeline.

usage: gen_catalog.py OUT_DIR [N]
"""
import random
import shutil
import sys
from pathlib import Path

out = Path(sys.argv[1])
n = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
repo = Path(__file__).resolve().parent.parent
rng = random.Random(20261122)

if out.exists():
    shutil.rmtree(out)
out.mkdir(parents=True)
for name in ["model.kpi", "categories.kpi"]:
    shutil.copy(repo / "kpis" / name, out / name)

categories = ["revenue", "customer_satisfaction", "engagement", "operational_efficiency",
              "market_penetration", "profitability", "retention"]
industries = ["Manufacturing", "Healthcare", "Retail", "Finance", "Energy"]
tiers = ["strategic", "key", "developing"]

# (formula template, unit); {i} is the KPI number, {ind}/{tier} segment literals.
money = [
    'sum(orders.revenue where accounts.industry == "{ind}")',
    'sum(orders.revenue - orders.cost where accounts.tier == "{tier}")',
    'sum(opportunities.amount where opportunities.status == "won" dated opportunities.closed_on)',
    'avg(orders.revenue where orders.product_line != "services")',
    'sum(orders.revenue) - previous(sum(orders.revenue))',
    'coalesce(sum(orders.discount where orders.discount is not missing), 0)',
]
ratio = [
    'count(opportunities where opportunities.status == "won" dated opportunities.closed_on) / count(opportunities where opportunities.qualified dated opportunities.closed_on)',
    '(sum(orders.revenue) - sum(orders.cost)) / sum(orders.revenue)',
    'count(leads where leads.converted) / count(leads)',
    'count(accounts where accounts.churned_on >= period.start and accounts.churned_on <= period.end) / count(accounts where accounts.customer_since < period.start)',
    'if count(orders) > 0 then sum(orders.revenue where accounts.industry == "{ind}") / sum(orders.revenue) else 0',
]
days = [
    'avg(days_between(opportunities.created_on, opportunities.closed_on) where opportunities.closed_on is not missing and opportunities.status == "won" dated opportunities.closed_on)',
    'median(days_between(opportunities.created_on, opportunities.closed_on) where opportunities.closed_on is not missing dated opportunities.closed_on)',
]
count = [
    'count(touchpoints where touchpoints.kind == "meeting" and accounts.is_key_account)',
    'count_distinct(orders.account_id)',
    'count(orders where accounts.tier == "{tier}")',
]
shapes = [("money", money), ("percent", ratio), ("days", days), ("count", count)]

prev_by_unit = {"money": [], "percent": [], "days": [], "count": []}
files = {}
for i in range(n):
    unit, templates = rng.choice(shapes)
    formula = rng.choice(templates).format(ind=rng.choice(industries), tier=rng.choice(tiers))
    earlier = prev_by_unit[unit]
    if earlier and rng.random() < 0.3:
        other = rng.choice(earlier[-200:])
        formula = (f"({formula}) + {other}" if unit != "percent"
                   else f"({formula} + {other}) / 2")
    kid = f"kpi_{i:05d}"
    prev_by_unit[unit].append(kid)
    affects = ", ".join(rng.sample(earlier[-50:], min(2, len(earlier[-50:])))) if earlier else ""
    cat = categories[i % len(categories)]
    files.setdefault(cat, []).append(f'''kpi {kid} {{
  name: "Synthetic KPI {i}"
  category: {cat}
  unit: {unit}
  better: {rng.choice(["higher", "lower"])}
  cadence: quarterly
  tags: [synthetic, batch_{i % 10}]
  formula: {formula}
  definition: """
    Synthetic KPI number {i} for the check benchmark.
  """
  insights: "What tracking it reveals."
  measurement: "How it is measured."
  trend: "How it tends to move."
  questions: ["Why did it move?", "Which accounts drove it?"]
  tips: ["Review it quarterly."]
  visualization: ["Line chart"]
  risks: ["A sudden drop"]
  tools: ["CRM"]
  integration: ["Quarterly business review"]
  impact: "Moves related KPIs."
  affects: [{affects}]
}}
''')
for cat, items in files.items():
    (out / f"{cat}.kpi").write_text("\n".join(items))
print(f"wrote {n} KPIs to {out}")
