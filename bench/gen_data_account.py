"""The rows of one account in every table, for bench/gen_data.py (class Gen).

Every account consumes the one random.Random in a fixed order: a change here changes the
generated data. Keep it byte-identical for the same seed, or say so (benchmark history
depends on it; bench/eval.sh stamps datasets with these files' hash).
"""

import random

from gen_data_tables import (
    D, ORD, BASE, DS, NY, Y24S, Y24E, Y25S, Y25E, YEARS, DATA_END, FAR, QUARTERS, QIDX_BASE, QIDX,
    INDUSTRIES, REGIONS, FIRST, LAST, NAME_A, NAME_B, LINES, MARGIN, LINE_WEIGHT, ORDER_WEIGHT,
    ORDERS_PER_YEAR, INDUSTRY_GROWTH, WALLET, DEAL, TOUCH, TICKETS, CONTACTS, STAGES, SLA_HOURS,
    RES_RANGE, PROSPECT_SOURCES, AM_COST, COLUMNS, TF, D2023_09_01, D2023_12_20, D2023_12_31,
    D2024_02_01, D2024_03_01, D2024_10_31, D2024_11_30, D2025_01_15, D2025_02_01, D2025_11_30,
    D2025_12_01, C2, m, cents, draws, nd, W_NPS_LEAVING, W_NPS_HAPPY, W_CSAT_LEAVING, W_CSAT_HAPPY,
    W_CES_LEAVING, W_CES_HAPPY,
)


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.randint, self.uniform, self.choice = draws(self.rng)
        self.n = {t: 0 for t in COLUMNS}  # id counters
        self.rows = {t: [] for t in COLUMNS}  # CSV lines (without "\n") not yet written

    # -------------------------------------------------------------------- accounts

    def account(self, i):
        rng = self.rng
        rnd = rng.random
        randint, uniform, choice = self.randint, self.uniform, self.choice
        R = self.rows
        N = self.n
        ds = DS
        c2 = C2
        aid = f"A{i + 1:06d}"

        def rdate(lo, hi):
            """A random date ordinal in [lo, hi], never 2024-01-01."""
            d = lo + int(rnd() * (hi - lo + 1))
            if d == NY:
                d = NY + 1 if hi > NY else NY - 1
            return d

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
            since = D(randint(2008, 2022), randint(1, 12), day)
        elif kind in ("lost24", "lost25"):
            cy = 2024 if kind == "lost24" else 2025
            churn = D(cy, randint(2, 12), day)
            since = churn.replace(year=randint(2012, 2021))
        elif kind == "new24":
            since = D(2024, randint(1, 11), day)
            if rnd() < 0.2:
                churn = since.replace(year=2025)  # lost again at its first renewal
        elif kind == "new25":
            since = D(2025, randint(1, 12), day)
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
        weights = {ln: LINE_WEIGHT[ln] * uniform(0.7, 1.3) for ln in lines}
        total_w = sum(weights.values())
        order = sorted(lines, key=lambda ln: -weights[ln] + uniform(-0.1, 0.1))
        if s_o is None or since.year >= 2024:
            n_before = 0
        elif kind == "long":
            n_before = {"strategic": 3, "key": 2, "developing": 1}[tier] + randint(0, 1)
        else:
            n_before = 2 + randint(0, 1)
        adopt = {}
        for k, ln in enumerate(order):
            if s_o is None:
                adopt[ln] = None
            elif since.year >= 2024:
                adopt[ln] = s_o if k == 0 else None
            elif k < n_before:
                adopt[ln] = rdate(s_o, D2023_12_20)
            else:
                adopt[ln] = None
        remaining = [ln for ln in order if adopt[ln] is None]
        if s_o is not None and remaining:
            if kind == "long":
                if rnd() < 0.35:
                    adopt[remaining.pop(0)] = rdate(D2025_02_01, D2025_11_30)
                if remaining and rnd() < 0.4:
                    adopt[remaining.pop(0)] = rdate(D2024_02_01, D2024_11_30)
            elif kind == "new24":
                lo = max(s_o + 60, D2025_01_15)
                hi = D2025_11_30 if c_o is None else c_o - 30
                if lo <= hi and rnd() < 0.6:
                    adopt[remaining.pop(0)] = rdate(lo, hi)
            elif kind == "lost25" and rnd() < 0.4:
                hi = min(D2024_10_31, c_o - 30)
                if D2024_03_01 <= hi:
                    adopt[remaining.pop(0)] = rdate(D2024_03_01, hi)
        wallet = 0
        potential = {}
        # the wallet target is drawn once per account; its product lines share it by weight
        wallet_target = randint(*WALLET[tier])
        out = R["account_products"]
        for n, ln in enumerate(lines):
            pot = cents(wallet_target * weights[ln] / total_w)
            potential[ln] = pot
            wallet += pot
            first = adopt[ln]
            out.append(f"{aid}-P{n + 1},{aid},{ln},{m(pot)},{ds[first - BASE] if first else ''}")
        band = "high" if wallet >= 150_000_000 else ("medium" if wallet >= 60_000_000 else "low")
        R["accounts"].append(",".join((aid, name, industry, region, tier, band, manager, TF[key],
                                       since.isoformat() if since else "", churn.isoformat() if churn else "",
                                       m(wallet))))

        # ------------------------------------------------------------------ orders
        # The hot loop (80 orders an account): locals only, one f-string per row, ids by
        # str().zfill (half the time of a `:09d` format spec; the same text for ids >= 0).
        q_rev = [0] * 8  # cents per quarter of 2024-2025
        if s_o is not None:
            share = uniform(0.30, 0.65)
            growth = INDUSTRY_GROWTH[industry] * uniform(0.92, 1.10)
            per_year_total = randint(*ORDERS_PER_YEAR[tier])
            adopted_w = sum(ORDER_WEIGHT[ln] for ln in lines if adopt[ln] is not None)
            acc_orders = []
            add = acc_orders.append
            qidx = QIDX
            for ln in lines:
                first = adopt[ln]
                if first is None:
                    continue
                yearly_2024 = potential[ln] * share * uniform(0.8, 1.2)  # cents
                per_year = max(1, round(per_year_total * ORDER_WEIGHT[ln] / adopted_w * uniform(0.8, 1.2)))
                margin = 1.0 - MARGIN[ln]
                m05 = margin - 0.05  # as `margin - 0.05 + 0.1 * r` evaluates it, once per line
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
                        cost = int(rev * (m05 + 0.1 * rnd()) + 0.5)
                        if rnd() < 0.4:
                            rate = 0.03 + 0.12 * rnd()
                            d = int(rev * rate / (1 - rate) + 0.5)
                            disc = f"{d // 100}.{c2[d % 100]}"
                        else:
                            disc = ""
                        q_rev[qidx[od - QIDX_BASE]] += rev
                        add((od, ln, rev, cost, disc))
            acc_orders.sort()
            no = N["orders"]
            out = R["orders"]
            add = out.append
            for od, ln, rev, cost, disc in acc_orders:
                no += 1
                add(f"O{str(no).zfill(9)},{aid},{ds[od - BASE]},{ln},{rev // 100}.{c2[rev % 100]},"
                    f"{cost // 100}.{c2[cost % 100]},{disc}")
            N["orders"] = no

        # ----------------------------------------------------------- revenue plans
        avg_q = sum(q_rev) / 8
        out = R["revenue_plans"]
        for k, (y, qn, qs, qe) in enumerate(QUARTERS):
            if window(qs, qe) is None:
                continue
            target = cents((avg_q / 100) * uniform(1.0, 1.25) + 5000)
            forecast = cents((q_rev[k] / 100) * uniform(0.85, 1.25) + uniform(0, 8000))
            out.append(f"RP-{aid}-{y}Q{qn},{aid},{ds[qs - BASE]},{m(target)},{m(forecast)}")

        # --------------------------------------------------- leads & opportunities
        size = DEAL[tier]
        adopted_lines = lines
        out_leads = R["leads"]
        out_opps = R["opportunities"]

        def new_lead(created, converted_on, source):
            N["leads"] += 1
            lid = f"L{N['leads']:08d}"
            out_leads.append(f"{lid},{aid},{ds[created - BASE]},{source},{TF[converted_on is not None]},"
                             f"{ds[converted_on - BASE] if converted_on is not None else ''}")
            return lid

        def new_opp(created, closed, status, stage, qualified, line, amount, lead_id):
            N["opportunities"] += 1
            out_opps.append(f"OP{N['opportunities']:08d},{aid},{lead_id or ''},{ds[created - BASE]},"
                            f"{ds[closed - BASE] if closed is not None else ''},{stage},{status},{TF[qualified]},"
                            f"{line},{m(amount)}")

        if s_o is not None and since.year >= 2024:
            created = nd(s_o - randint(45, 150))
            lid = new_lead(nd(created - randint(5, 30)), s_o, PROSPECT_SOURCES[int(rnd() * 4)])
            first_line = next(ln for ln in lines if adopt[ln] == s_o)
            new_opp(created, s_o, "won", "negotiation", True, first_line, cents(uniform(*size)), lid)
        n_deals = ((2023, (0, 2)), (2024, (3, 7)), (2025, (3, 7))) if s_o is not None else \
            ((2023, (0, 1)), (2024, (1, 3)), (2025, (1, 3)))
        for year, n_range in n_deals:
            for _ in range(randint(*n_range)):
                lo = D2023_09_01 if year == 2023 else (Y24S if year == 2024 else Y25S)
                hi = D2023_12_31 if year == 2023 else (Y24E if year == 2024 else Y25E)
                if c_o is not None:
                    hi = min(hi, c_o - 30)
                if hi < lo:
                    continue
                created = rdate(lo, hi)
                is_customer = customer_on(created)
                qualified = rnd() < 0.8
                closed = created + randint(20, 180)
                if c_o is not None and closed >= c_o:
                    closed = max(c_o - randint(1, 20), created + 5)
                closed = nd(closed)
                line = adopted_lines[int(rnd() * len(adopted_lines))]
                amount = cents(uniform(*size))
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
                    lid = new_lead(nd(created - randint(3, 30)), closed_on if status == "won" else None, src)
                new_opp(created, closed_on, status, stage, qualified, line, amount, lid)
        for year, ys, ye in YEARS:
            for _ in range(randint(1, 4)):
                hi = ye if c_o is None else min(ye, c_o - 1)
                if hi < ys:
                    continue
                created = rdate(ys, hi)
                src = "existing_account" if customer_on(created) else PROSPECT_SOURCES[int(rnd() * 4)]
                new_lead(created, None, src)

        # --------------------------------------------- business reviews, touchpoints
        n_contacts = CONTACTS[tier] if s_o is not None else 2
        tps = []

        def touch(day, kind_, attended, exec_p):
            tps.append((day, kind_, f"{aid}-C{1 + int(rnd() * n_contacts)}", TF[rnd() < exec_p],
                        "" if attended is None else TF[attended]))

        out = R["business_reviews"]
        for y, qn, qs, qe in QUARTERS:
            planned = qs + randint(30, 75)
            if not customer_on(planned):
                continue
            if not key and qn not in (2, 4):
                continue  # non-key accounts: two reviews a year
            leaving = c_o is not None and (c_o - planned) < 240
            held = None
            if rnd() < (0.5 if leaving else 0.85):
                held = min(planned + randint(0, 14), qe)
                if not customer_on(held):
                    held = planned
                touch(held, "qbr", True, 0.5)
            N["business_reviews"] += 1
            out.append(f"R{N['business_reviews']:08d},{aid},{ds[planned - BASE]},"
                       f"{ds[held - BASE] if held is not None else ''}")
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
            for _ in range(max(1, round(randint(*n_range) * frac))):
                day = rdate(ys, hi)
                r = rnd()
                kind_ = "meeting" if r < 0.35 else "call" if r < 0.65 else "email" if r < 0.9 else "workshop"
                attended = None
                if kind_ in ("meeting", "workshop"):
                    attended = rnd() < (0.65 if leaving else 0.9)
                touch(day, kind_, attended, 0.03 if kind_ == "email" else 0.12)
        tps.sort()
        no = N["touchpoints"]
        out = R["touchpoints"]
        for day, kind_, contact, ex, att in tps:
            no += 1
            out.append(f"T{str(no).zfill(9)},{aid},{ds[day - BASE]},{kind_},{contact},{ex},{att}")
        N["touchpoints"] = no

        # ---------------------------------------------------------- account plans
        if key:
            for year, ys, ye in YEARS:
                jan1 = ORD(D(year, 1, 1))
                win = window(jan1, ye)
                if win is None or rnd() < 0.1:
                    continue
                valid_from = jan1 if win[0] == jan1 else win[0] + 20
                if valid_from > ye:
                    continue
                n_set = randint(3, 6)
                p_met = 0.35 if (churn is not None and churn.year == year) else 0.65
                status = "approved" if rnd() < 0.85 else "draft"
                met = sum(rnd() < p_met for _ in range(n_set))
                R["account_plans"].append(f"AP-{aid}-{year},{aid},{ds[valid_from - BASE]},{ds[ye - BASE]},"
                                          f"{status},{n_set},{met}")

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
                            score = choice(W_NPS_LEAVING if leaving else W_NPS_HAPPY)
                        elif kind_ == "csat":
                            score = choice(W_CSAT_LEAVING if leaving else W_CSAT_HAPPY)
                        else:
                            score = choice(W_CES_LEAVING if leaving else W_CES_HAPPY)
                    svs.append((rdate(*win), kind_, TF[responded], str(score)))
        svs.sort()
        no = N["surveys"]
        out = R["surveys"]
        for sent, kind_, resp, score in svs:
            no += 1
            out.append(f"S{str(no).zfill(8)},{aid},{ds[sent - BASE]},{kind_},{resp},{score}")
        N["surveys"] = no

        # -------------------------------------------------------- support tickets
        tickets_q = [0] * 8
        tks = []
        for year, ys, ye in YEARS:
            win = window(ys, ye)
            if win is None:
                continue
            frac = (win[1] - win[0] + 1) / 365
            leaving = churn is not None and churn.year == year
            for _ in range(max(1, round(randint(*TICKETS[tier]) * frac))):
                opened = rdate(*win)
                r = rnd()
                priority = "low" if r < 0.25 else "normal" if r < 0.70 else "high" if r < 0.92 else "urgent"
                r = rnd()
                cw = (0.3, 0.6, 0.8) if leaving else (0.35, 0.65, 0.9)
                category = "question" if r < cw[0] else "incident" if r < cw[1] else "request" if r < cw[2] \
                    else "complaint"
                sla = SLA_HOURS[priority]
                first = round(sla * uniform(0.15, 1.4), 1)
                fcr = rnd() < (0.55 if category in ("question", "request") else 0.3)
                if fcr:
                    res_h = round(max(first, uniform(0.5, 8.0)), 1)
                else:
                    res_h = round(first + uniform(*RES_RANGE[priority]), 1)
                resolved = opened + int(res_h // 24)
                if resolved > DATA_END or (opened > D2025_12_01 and rnd() < 0.3):
                    resolved, res_h = None, None
                escalated = rnd() < (0.3 if category == "complaint" else 0.08)
                tks.append((opened, priority, category, f"{first:.1f}", f"{sla:.1f}",
                            ds[resolved - BASE] if resolved is not None else "",
                            f"{res_h:.1f}" if res_h is not None else "",
                            TF[fcr and resolved is not None], TF[escalated]))
                tickets_q[QIDX[opened - QIDX_BASE]] += 1
        tks.sort()
        no = N["support_tickets"]
        out = R["support_tickets"]
        for t in tks:
            no += 1
            out.append(f"TK{str(no).zfill(8)},{aid},{ds[t[0] - BASE]},{','.join(t[1:])}")
        N["support_tickets"] = no

        # -------------------------------------------------------------- contracts
        if s_o is not None:
            out = R["contracts"]
            yearly_rev = sum(q_rev[:4]) or sum(q_rev[4:])
            value = cents(yearly_rev / 100 * uniform(0.5, 0.7) + 10000)
            addon = rnd() < 0.45
            addon_value = cents(value / 100 * uniform(0.1, 0.25))
            addon_alive = True
            for y in range(max(since.year, 2023), 2026):
                start = ORD(since.replace(year=y))
                end = ORD(since.replace(year=y + 1)) - 1
                if c_o is not None and start >= c_o:
                    break
                renewal_value = cents(value / 100 * uniform(0.92, 1.12))
                if c_o is not None and end == c_o - 1:
                    status, renewed = "lost", None
                elif end > DATA_END:
                    status, renewed = "pending", None
                elif end > D2025_11_30 and rnd() < 0.5:
                    status, renewed = "pending", None
                else:
                    status, renewed = "renewed", renewal_value
                N["contracts"] += 1
                out.append(f"C{N['contracts']:08d},{aid},{ds[start - BASE]},{ds[end - BASE]},{m(value)},{status},"
                           f"{m(renewed) if renewed is not None else ''}")
                if addon and addon_alive:
                    drop = rnd() < 0.2 and end <= DATA_END
                    a_status = "lost" if (status == "lost" or drop) else status
                    a_renewed = cents(addon_value / 100 * uniform(0.95, 1.1)) if a_status == "renewed" else None
                    N["contracts"] += 1
                    out.append(f"C{N['contracts']:08d},{aid},{ds[start - BASE]},{ds[end - BASE]},"
                               f"{m(addon_value)},{a_status},{m(a_renewed) if a_renewed is not None else ''}")
                    if a_status == "lost":
                        addon_alive = False
                    elif a_renewed is not None:
                        addon_value = a_renewed
                if status != "renewed":
                    break
                value = renewal_value

        # ---------------------------------------------------------- service costs
        no = N["service_costs"]
        out = R["service_costs"]
        for k, (y, qn, qs, qe) in enumerate(QUARTERS):
            win = window(qs, qe)
            if win is None:
                continue
            booked = ds[win[1] - BASE]
            rev = q_rev[k] / 100
            items = []
            if key:
                items.append(("account_management", AM_COST[tier] * uniform(0.8, 1.2)))
            items.append(("customer_support", 400 + 350 * tickets_q[k] * uniform(0.8, 1.2)))
            items.append(("logistics", 150 + rev * uniform(0.015, 0.03)))
            items.append(("overhead_allocation", 300 + rev * 0.03))
            for cost_type, amount in items:
                no += 1
                out.append(f"SC{str(no).zfill(9)},{aid},{booked},{cost_type},{m(cents(amount))}")
        N["service_costs"] = no
