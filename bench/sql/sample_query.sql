-- Hand-written stand-in for `kpic sql --dialect duckdb --period 2025`: four KPIs of the
-- catalog for the portfolio, 2025 next to 2024, in the output shape of that command
-- (kpi, grp, breakdown, value, previous). Used to test bench/duckdb_run.py and
-- bench/compare.py (with --only-common) before `kpic sql` existed.
--
--   gross_margin_percentage = sum(orders.revenue - orders.cost) / sum(orders.revenue)
--   win_rate   = count(opps won and qualified, dated closed_on)
--                / count(opps qualified and not open, dated closed_on)
--   churn_rate = accounts_lost / accounts_at_start
--   sales_pipeline (by opportunities.stage) = sum(amount where created_on <= period.end
--                and coalesce(closed_on, 9999-12-31) > period.end, all time)
-- A division by zero or an aggregate over no rows is NULL (kpic: missing).
WITH periods AS (
  SELECT 0 AS p, DATE '2025-01-01' AS s, DATE '2025-12-31' AS e
  UNION ALL
  SELECT 1, DATE '2024-01-01', DATE '2024-12-31'
),
gm AS (
  SELECT p.p,
         CAST(SUM(o.revenue - o.cost) AS DOUBLE) / NULLIF(CAST(SUM(o.revenue) AS DOUBLE), 0) AS v
  FROM periods p LEFT JOIN orders o ON o.order_date BETWEEN p.s AND p.e
  GROUP BY p.p
),
wr AS (
  SELECT p.p,
         CAST(COUNT(*) FILTER (WHERE o.status = 'won' AND o.qualified) AS DOUBLE)
           / NULLIF(COUNT(*) FILTER (WHERE o.qualified AND o.status <> 'open'), 0) AS v
  FROM periods p LEFT JOIN opportunities o ON o.closed_on BETWEEN p.s AND p.e
  GROUP BY p.p
),
cr AS (
  SELECT p.p,
         CAST(COUNT(*) FILTER (WHERE a.churned_on IS NOT NULL AND a.churned_on >= p.s AND a.churned_on <= p.e) AS DOUBLE)
           / NULLIF(COUNT(*) FILTER (WHERE a.customer_since IS NOT NULL AND a.customer_since < p.s
                                      AND COALESCE(a.churned_on, DATE '9999-12-31') >= p.s), 0) AS v
  FROM periods p CROSS JOIN accounts a
  GROUP BY p.p
),
sp AS (
  SELECT p.p, o.stage, CAST(SUM(o.amount) AS DOUBLE) AS v
  FROM periods p JOIN opportunities o
    ON o.created_on <= p.e AND COALESCE(o.closed_on, DATE '9999-12-31') > p.e
  GROUP BY p.p, o.stage
),
sp_stages AS (SELECT DISTINCT stage FROM sp)
SELECT 'gross_margin_percentage' AS kpi, '' AS grp, CAST(NULL AS VARCHAR) AS breakdown,
       (SELECT v FROM gm WHERE p = 0) AS value, (SELECT v FROM gm WHERE p = 1) AS previous
UNION ALL
SELECT 'win_rate', '', NULL, (SELECT v FROM wr WHERE p = 0), (SELECT v FROM wr WHERE p = 1)
UNION ALL
SELECT 'churn_rate', '', NULL, (SELECT v FROM cr WHERE p = 0), (SELECT v FROM cr WHERE p = 1)
UNION ALL
SELECT 'sales_pipeline', '', st.stage,
       (SELECT v FROM sp WHERE p = 0 AND sp.stage = st.stage),
       (SELECT v FROM sp WHERE p = 1 AND sp.stage = st.stage)
FROM sp_stages st
