"""Checks for bench/gen_data.py: its columns against kpis/model.kpi, and --validate.

Kept apart from the generator so that bench/gen_data.py stays one readable file; nothing
here changes what is written (bench/eval.sh stamps datasets with gen_data.py's hash).
"""

import csv
import os
import re
import sys


def check_model(root, columns):
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
    if declared != columns:
        for t in sorted(set(declared) | set(columns)):
            if declared.get(t) != columns.get(t):
                print(f"model: {t}: {declared.get(t)}\ngenerator: {t}: {columns.get(t)}", file=sys.stderr)
        sys.exit("gen_data.py: the tables of kpis/model.kpi differ from the generator's; update COLUMNS")


def validate(out, columns, tf):
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
    for table, cols in columns.items():
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
                        assert v in tf, (table, line, c, v)
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

