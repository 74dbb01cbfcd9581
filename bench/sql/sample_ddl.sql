-- Hand-written stand-in for `kpic sql --ddl --dialect duckdb`, used to test the DuckDB
-- driver and the comparison before that command existed. Typed from kpis/model.kpi.
CREATE TABLE accounts (
  account_id VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  industry VARCHAR NOT NULL,
  region VARCHAR NOT NULL,
  tier VARCHAR NOT NULL,
  potential_band VARCHAR NOT NULL,
  account_manager VARCHAR NOT NULL,
  is_key_account BOOLEAN NOT NULL,
  customer_since DATE,
  churned_on DATE,
  revenue_potential DECIMAL(18,4) NOT NULL
);
CREATE TABLE orders (
  order_id VARCHAR NOT NULL,
  account_id VARCHAR NOT NULL,
  order_date DATE NOT NULL,
  product_line VARCHAR NOT NULL,
  revenue DECIMAL(18,4) NOT NULL,
  cost DECIMAL(18,4) NOT NULL,
  discount DECIMAL(18,4)
);
CREATE TABLE opportunities (
  opportunity_id VARCHAR NOT NULL,
  account_id VARCHAR NOT NULL,
  lead_id VARCHAR,
  created_on DATE NOT NULL,
  closed_on DATE,
  stage VARCHAR NOT NULL,
  status VARCHAR NOT NULL,
  qualified BOOLEAN NOT NULL,
  product_line VARCHAR NOT NULL,
  amount DECIMAL(18,4) NOT NULL
);
CREATE TABLE leads (
  lead_id VARCHAR NOT NULL,
  account_id VARCHAR NOT NULL,
  created_on DATE NOT NULL,
  source VARCHAR NOT NULL,
  converted BOOLEAN NOT NULL,
  converted_on DATE
);
CREATE TABLE touchpoints (
  touchpoint_id VARCHAR NOT NULL,
  account_id VARCHAR NOT NULL,
  held_on DATE NOT NULL,
  kind VARCHAR NOT NULL,
  contact_id VARCHAR NOT NULL,
  executive_involved BOOLEAN NOT NULL,
  attended BOOLEAN
);
CREATE TABLE business_reviews (
  review_id VARCHAR NOT NULL,
  account_id VARCHAR NOT NULL,
  planned_for DATE NOT NULL,
  held_on DATE
);
CREATE TABLE account_plans (
  plan_id VARCHAR NOT NULL,
  account_id VARCHAR NOT NULL,
  valid_from DATE NOT NULL,
  valid_to DATE NOT NULL,
  status VARCHAR NOT NULL,
  objectives_set BIGINT NOT NULL,
  objectives_met BIGINT NOT NULL
);
CREATE TABLE surveys (
  survey_id VARCHAR NOT NULL,
  account_id VARCHAR NOT NULL,
  sent_on DATE NOT NULL,
  kind VARCHAR NOT NULL,
  responded BOOLEAN NOT NULL,
  score BIGINT
);
CREATE TABLE support_tickets (
  ticket_id VARCHAR NOT NULL,
  account_id VARCHAR NOT NULL,
  opened_on DATE NOT NULL,
  priority VARCHAR NOT NULL,
  category VARCHAR NOT NULL,
  first_response_hours DOUBLE NOT NULL,
  sla_response_hours DOUBLE NOT NULL,
  resolved_on DATE,
  resolution_hours DOUBLE,
  resolved_first_contact BOOLEAN NOT NULL,
  escalated BOOLEAN NOT NULL
);
CREATE TABLE contracts (
  contract_id VARCHAR NOT NULL,
  account_id VARCHAR NOT NULL,
  start_date DATE NOT NULL,
  end_date DATE NOT NULL,
  annual_value DECIMAL(18,4) NOT NULL,
  renewal_status VARCHAR NOT NULL,
  renewed_value DECIMAL(18,4)
);
CREATE TABLE revenue_plans (
  plan_id VARCHAR NOT NULL,
  account_id VARCHAR NOT NULL,
  quarter_start DATE NOT NULL,
  target_revenue DECIMAL(18,4) NOT NULL,
  forecast_revenue DECIMAL(18,4) NOT NULL
);
CREATE TABLE account_products (
  account_product_id VARCHAR NOT NULL,
  account_id VARCHAR NOT NULL,
  product_line VARCHAR NOT NULL,
  annual_potential DECIMAL(18,4) NOT NULL,
  first_purchased_on DATE
);
CREATE TABLE service_costs (
  cost_id VARCHAR NOT NULL,
  account_id VARCHAR NOT NULL,
  booked_on DATE NOT NULL,
  cost_type VARCHAR NOT NULL,
  amount DECIMAL(18,4) NOT NULL
);
