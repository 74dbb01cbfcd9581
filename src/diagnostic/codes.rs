//! The stable diagnostic codes and their long explanations (`kpic explain CODE`).
//!
//! A code never changes meaning once released; retired codes are not reused.

use serde::Serialize;

macro_rules! codes {
    ($($variant:ident = $code:literal, $title:literal, $explain:literal;)*) => {
        /// A stable diagnostic code such as `K0201`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant),* }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as written, e.g. `"K0201"`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code),* }
            }

            /// A one-line title.
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title),* }
            }

            /// The long explanation, with an example.
            pub fn explanation(self) -> &'static str {
                match self { $(Code::$variant => $explain),* }
            }
        }
    };
}

impl Code {
    /// Looks a code up by its text (case-insensitive, `K` optional).
    pub fn parse(text: &str) -> Option<Code> {
        let text = text.trim().to_ascii_uppercase();
        let text = if text.starts_with('K') {
            text
        } else {
            format!("K{text}")
        };
        Code::ALL.iter().copied().find(|c| c.as_str() == text)
    }
}

impl Code {
    /// Whether the code is a lint: a warning by default, whose level a project may set
    /// (`[lints]` in `kpic.toml`: allow, warn, deny). Every other code is an error.
    pub fn is_lint(self) -> bool {
        matches!(
            self,
            Code::MissingDoc | Code::PercentTimesHundred | Code::MinSampleUnused
        )
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

codes! {
    InvalidUtf8 = "K0001", "file is not valid UTF-8",
"A .kpi file must be UTF-8 text. The diagnostic points at the first byte that is not
valid UTF-8; this usually means the file was saved in another encoding (Latin-1,
UTF-16) or is not a text file at all. Re-save it as UTF-8.";

    Syntax = "K0002", "syntax error",
"The text does not follow the grammar of the kpic language. The diagnostic says what
was expected at that place. Every item has the shape `KIND NAME { ... }`; fields are
written `name: value`, one per line, without commas:

    kpi win_rate {
      name: \"Win Rate\"
      formula: won_deals / qualified_deals
    }

Each item is parsed on its own, so an error in one item does not hide the others.";

    TooDeep = "K0003", "expression nested too deeply or too long",
"kpic bounds how deeply parentheses, lists and conditionals may nest (64 levels) and
how many operators one expression may chain (1,000), so that no input can exhaust the
stack. Real formulas are far below these limits; split a huge formula into named
measures:

    measure gross_profit { formula: sum(orders.revenue) - sum(orders.cost) }";

    ForeignOperator = "K0004", "operator from another language",
"kpic writes comparison and logic operators one way only: `==` for equality (not `=`),
`!=` (not `<>`), `and` (not `&&`), `or` (not `||`).

    formula: count(orders where orders.status == \"paid\")";

    UnknownName = "K0101", "unknown name",
"A name in a formula or field does not refer to anything declared in the catalog: a
KPI, a measure, a table, a column of that table, or `period`. Check the spelling (the
diagnostic suggests the closest declared name), or declare it. Columns are always
written with their table: `orders.revenue`.";

    Duplicate = "K0102", "defined more than once",
"Ids are unique per kind across the whole catalog (every file of it): two KPIs, two
measures, two tables or two categories may not share a name, and a table may not
declare a column twice. KPIs and measures also share one namespace, because formulas
refer to both by bare name. Rename one of them.";

    UnknownCategory = "K0103", "unknown category",
"A KPI's `category` must be one declared with `category NAME { ... }`. The catalog
ships revenue, customer_satisfaction, engagement, operational_efficiency,
market_penetration, profitability and retention.";

    UnknownField = "K0104", "unknown field",
"The item does not have a field of this name. Each kind of item takes its own fields;
`kpic explain kpi` (or measure, category, benchmark) lists them with what each holds.
The diagnostic suggests the closest field name:

    kpi win_rate {
      name: \"Win Rate\"
      definiton: \"...\"      // error: did you mean `definition`?
    }";

    MissingField = "K0105", "required field missing",
"The item lacks a field it cannot do without. A KPI needs name, category, unit, better
and formula; a measure needs formula; a category needs name; a benchmark needs kpi,
source, as_of and either value or low and high.";

    InvalidValue = "K0106", "invalid field value",
"A field holds a value of the wrong kind: for example `unit` must be one of money,
percent, ratio, count, days, hours, score, number; `better` must be higher or lower;
`name` must be a string; `questions` a list of strings; `affects` a list of KPI ids.";

    DuplicateField = "K0107", "field given twice",
"A field appears twice in one item. Keep one; for several values use a list:
`tags: [top12, finance]`.";

    Cycle = "K0108", "KPIs or measures depend on each other in a cycle",
"A KPI or measure refers, directly or through others, to itself, so it can never be
computed. The diagnostic lists the whole path of the cycle. Break it by computing one
of them from the underlying data instead of from the other.";

    UnknownItem = "K0109", "unknown item kind",
"Every item of a file is written `KIND NAME { ... }`, and KIND is one of the item kinds
the diagnostic lists (a table, a category, a measure, a KPI or a benchmark).
`kpic explain KIND` shows what each holds, e.g. `kpic explain kpi`.";

    InvalidColumn = "K0110", "invalid column declaration",
"A column is declared `name: TYPE MODIFIER*`. Types: text, int, number, money, date,
datetime, bool. Modifiers: key, optional, time, dimension, `-> TABLE`, `unit UNIT`.
A table has at most one `time` column and it must be a date or datetime; `unit` applies
to int and number columns; a relation must point at a declared table.

    table tickets {
      ticket_id: text key
      account_id: text -> accounts
      opened_on: date time
      first_response: number unit hours optional
    }";

    UnknownFunction = "K0111", "unknown function",
"A formula called a function kpic does not have. `kpic explain builtins` lists the
aggregates and functions it has, and `kpic explain NAME` explains one. Names are lower
case. For the usual spreadsheet and SQL functions the diagnostic says what kpic writes
instead: a conditional is `if CONDITION then A else B` (not IF), a default for a missing
value is `coalesce` (not IFERROR or NVL), and a count of rows where something holds is
an aggregate with `where`:

    formula: count(opportunities where opportunities.status == \"won\")   // not COUNTIF";

    UnitMismatch = "K0201", "values of different units combined",
"`+`, `-`, comparisons, both branches of `if` and the arguments of coalesce, least and
greatest need values of one unit: adding money to a count, or comparing money with a
date, has no meaning. A bare number literal takes the unit of the other side.

    formula: sum(orders.revenue) + count(orders)    // error: money + count";

    UnitProduct = "K0202", "product or quotient of units has no meaning",
"kpic knows these products and quotients: x * number and x * count keep x's unit;
x / x is a plain ratio (money / money); x / number keeps x's unit, and so do x / count,
x / days and x / hours, which are rates (revenue per order or per day is money).
money * money, days / money, count / money and the like are errors: usually an operand
is not what was meant.

    formula: revenue / period.days        // average daily revenue: money";

    DeclaredUnit = "K0203", "formula does not yield the declared unit",
"A KPI declares the unit of its value, and its formula must yield it: `percent`,
`ratio` and `number` accept a plain number (money / money), `count` accepts a count or
a plain number, and money, days, hours and score accept only themselves. A benchmark's
value must match its KPI's unit too.

    kpi win_rate { unit: percent  formula: sum(opportunities.amount) }  // error: money";

    TypeMismatch = "K0204", "value of the wrong type",
"An operator or function got a value of a type it does not accept: arithmetic needs
numbers (or dates for date - date and date + days), `and`/`or`/`not` and `where`
need true/false, `is missing` works on anything.";

    Arity = "K0205", "wrong number of arguments",
"The function was called with too many or too few arguments. The diagnostic shows the
function's signature and an example; `kpic explain NAME` says what each argument must
be, and `kpic explain builtins` lists every function and aggregate.";

    ColumnOutsideAggregate = "K0301", "column used outside an aggregate",
"A KPI is one value per scope (portfolio, segment, account), but a column has one value
per row. Wrap the column in an aggregate that says how rows become one value:

    formula: sum(orders.revenue)      // not: orders.revenue";

    NestedAggregate = "K0302", "aggregate inside an aggregate",
"An aggregate's argument and filter are evaluated per row, where another aggregate has
no meaning. Compute the inner aggregate as its own measure and combine the results
outside:

    formula: sum(orders.revenue) / count(orders)";

    MixedTables = "K0303", "aggregate reads several tables",
"One aggregate runs over the rows of one table. Its argument and filter may use that
table's columns and, through its many-to-one relations, the columns of the tables they
lead to (`accounts`, `opportunities.lead.source`); other tables need an aggregate of
their own.";

    UnguardedOptional = "K0304", "optional column used where a value is required",
"An optional column may be empty, and arithmetic or a function on an empty cell has no
value. Say what should happen: give a default with coalesce, or keep only rows where
the cell is filled:

    avg(days_between(opportunities.created_on, opportunities.closed_on)
        where opportunities.closed_on is not missing)";

    InvalidTimeClause = "K0305", "invalid period clause",
"`dated TABLE.col` must name a date or datetime column of the aggregated table, and
`all time` only makes sense on a table that is period-filtered. `previous(...)` needs
an expression that depends on the period.";

    InvalidBreakdown = "K0306", "invalid breakdown",
"`breakdown: TABLE.col` must name a text dimension of a table, and every aggregate in
the KPI's formula must read that table (the breakdown splits its rows).";

    AmbiguousRelation = "K0310", "table reached by several relations",
"Inside an aggregate, `leads.source` reads the column of the row's lead: the short form
names the parent table and lets kpic find the relation. When the aggregated table
reaches that table in more than one way (two relation columns to it, or two chains of
relations), kpic cannot tell which row is meant. Write the path, naming each relation
followed (its column, with or without `_id`):

    count(deals where deals.lead.source == \"webinar\")
    count(deals where deals.referral.source == \"webinar\")";

    OneToMany = "K0311", "relation read in its one-to-many direction",
"A row can read the columns of its parent rows: an opportunity has one lead
(`lead_id: text -> leads`), so `opportunities.lead.source` is one value per
opportunity. The other direction has no single value: a lead has many opportunities,
and reading `opportunities.stage` for a lead would repeat the lead once per opportunity
(fan-out) and count it many times. Aggregate the child table instead and read the
parent through the relation:

    count(opportunities where opportunities.lead.source == \"webinar\")

or aggregate each table separately and combine the results outside the aggregates.";

    InvalidPer = "K0320", "invalid aggregate over members (`per`)",
"`per` turns an aggregate into one over members: its argument is evaluated once per
member, with the scope narrowed to that member, and the aggregate folds the members'
values (members whose value is missing are skipped). `per` follows the first argument
of an aggregate (sum, avg, min, max, median, percentile, count), and the members are
the accounts in scope (`per accounts`), the values of a dimension of accounts
(`per accounts.manager`), or the rows of a table (`per opportunities`: the table needs a
`key` and a `-> accounts` column; a row is a member in the periods its time is in).
Every table read inside must reach accounts through a `-> accounts` column (per rows of
a table: be that table, or have one relation to it); a period clause belongs on the
aggregates inside; `accounts.COLUMN` (per rows, `TABLE.COLUMN`) outside an inner
aggregate is the member's own value, so it exists per account, not per value of a
dimension; a parent row's column is read in an aggregate over the member's table.

    formula: avg(sum(orders.revenue) per accounts where accounts.tier == \"strategic\")";

    NestedPer = "K0321", "`per` inside `per`",
"An aggregate over members may not contain another aggregate over members: the inner
value is computed for one member, and a member has no members of its own. Compute the
per-member value as a measure and aggregate it once:

    measure account_margin { formula: (sum(orders.revenue) - sum(orders.cost)) / sum(orders.revenue) }
    kpi mean_margin { ... formula: avg(account_margin per accounts) }";

    MissingDoc = "K0401", "documentation attribute missing",
"Every KPI carries the twelve documentation attributes of the catalog (the formula is
one of them); `kpic explain kpi` lists the others with what each holds. A missing one is
a warning that names every attribute the KPI lacks; `--deny warnings` makes it fail
CI.";

    PercentTimesHundred = "K0402", "percent KPI multiplied by 100",
"A percent KPI's formula yields a fraction (0.35) and kpic shows it as 35%. Multiplying
by 100 in the formula would show 3500%. Remove the `* 100`.";

    TargetUnit = "K0501", "target not in the KPI's unit",
"A KPI's target (and an absolute status threshold) is a value in the KPI's own unit,
so that the gap `value - target` means something. A percent KPI's target is written
with `%` (`target: 30%`; a bare `30` would be 3,000%); a percentage is no target for a
KPI in money, a count, days, hours or a score; money has at most four decimals; and a
target read from the data must yield the KPI's unit:

    kpi win_rate { unit: percent  target: 30%  ... }
    kpi revenue  { unit: money    target: sum(plans.revenue_target)  ... }";

    InvalidTarget = "K0502", "invalid target",
"A target is one value (`target: 30%`), a value per segment, a value per period, or a
formula over the dataset (a plan table):

    target: by accounts.segment { \"enterprise\": 35%, \"mid_market\": 30%, else: 25% }
    target: by period { 2025: 28%, \"2026-Q1\": 30%, else: 25% }
    target: avg(plans.win_rate_target)

A segment target is keyed by a `dimension` column of `accounts`, each key a value in
quotes, given once; `else` is the target of every other group (the portfolio
included). A period key is a year or a period in quotes (`\"2025-Q1\"`, `\"2025-07\"`).";

    InvalidStatus = "K0503", "invalid status thresholds",
"`status` says when a value is green, amber or red. By default the thresholds are
percentages of the target (`status: { green: 100%, amber: 90% }`: green at or above the
target, amber from 90% of it, red below); with `absolute` they are values in the KPI's
unit (`status: { green: 30%, amber: 25%, absolute }`). Both `green` and `amber` are
needed. When lower is better (`better: lower`) the scale flips: green at or below the
`green` threshold, amber up to `amber`, so `green` must not be above `amber`
(`status: { green: 100%, amber: 110% }`). Relative thresholds need a target.";

    TargetUnknownKpi = "K0506", "target item for no declared KPI",
"A `target` item attaches a target to a KPI declared elsewhere, so that a company's
targets can change every year without editing the shared definition. Its `kpi:` names
that KPI by id, exactly as declared:

    target win_rate_2026 {
      kpi: win_rate
      value: by accounts.tier { \"strategic\": 35%, else: 25% }
      source: \"FY2026 sales plan\"
    }

Check the spelling (kpic suggests a close name), or check the catalog together with the
file that declares the KPI (`kpic check kpis my_targets.kpi`).";

    TargetTwice = "K0507", "KPI already has its own target",
"A KPI has one target: either its own `target:` field or one `target` item, never
both, since kpic could not tell which one its status is computed against. Keep the
definition free of targets and write the target as an item (the catalog's KPIs are
shared, targets are a company's own), or drop the item:

    kpi win_rate { ... }                        // no `target:` here
    target win_rate_2026 { kpi: win_rate  value: 30%  source: \"FY2026 plan\" }";

    TargetItemTwice = "K0508", "two target items for the same KPI",
"A KPI has one target, so only one `target` item may name it. A target per segment or
per period is one item (`value: by accounts.tier { ... }` or `value: by period { ... }`);
for a new year's targets, replace last year's item or key both years in one
`by period` map:

    target time_to_close_plan {
      kpi: time_to_close
      value: by period { 2025: 60, 2026: 55 }
      source: \"Sales operations plan 2025-2026\"
    }";

    InvalidMinSample = "K0510", "invalid small-sample threshold",
"`min_sample` is how many members (rows, accounts, survey responses) a ratio's or an
average's value must be computed from before it is read without a flag; fewer, and
`kpic eval` marks the value as a small sample (`⚑ n=5`). It is a whole number of
members, at least 1 — not a percentage, not negative, not a fraction:

    kpi net_promoter_score { ... min_sample: 50 }

Without it, the project's `[eval] min_sample` applies (default 30).";

    MinSampleUnused = "K0511", "`min_sample` on a value without a sample",
"`min_sample` flags a value computed from too few members, so it applies only to the
values kpic counts members for: a ratio (`a / b`: the members of `b`, e.g. the
opportunities closed for a win rate) and an average, median or percentile (the rows or
members averaged). A sum, a plain count, a money total or a difference is not an
estimate from a sample: there is no count to compare with the threshold, and the value
is never flagged. The field is ignored there, so this warns:

    kpi total_revenue { formula: sum(orders.revenue)  min_sample: 30 }

Remove `min_sample`, or, if the KPI is meant to be a rate, write it as one
(`won / closed`). This is a lint: `[lints] K0511 = \"allow\"` in kpic.toml silences it.";
    RuleNotBoolean = "K0701", "rule condition is not true or false",
"A rule fires when its condition is true, so the condition must be a comparison or
another true/false value, not a number:

    rule retention_churn_mirror {
      condition: abs(customer_retention_rate + churn_rate - 100%) > 2%
      ...
    }

`churn_rate > 10%` is a condition; `churn_rate` alone, or `churn_rate - 10%`, is a
number. Combine comparisons with `and`, `or` and `not`.";

    RuleName = "K0702", "rule reads something that is not a KPI",
"A rule is evaluated after the KPIs, from their values, on every engine alike; so its
condition and the placeholders of its message may name only KPIs: `churn_rate`, and
`previous(churn_rate)` for its value in the period compared with (`--compare`; the
period before by default). Measures, columns, aggregates (`sum(...)`), `period` and
`year_ago` are not available there: declare a KPI for the value the rule needs, and
use `previous` with a KPI name inside, nothing else:

    condition: sales_pipeline > previous(sales_pipeline) * 1.1";

    RulePlaceholder = "K0703", "invalid placeholder in a rule message",
"A rule's message shows values with placeholders: `{churn_rate}`, or any expression
over KPIs, `{customer_retention_rate + churn_rate}`, each shown in its unit (a KPI's
own unit; percent plus percent is a percent, money divided by money a ratio). A
placeholder must be a whole expression of a number or true/false, closed by `}`; write
`{{` and `}}` for braces in the text:

    message: \"retention {customer_retention_rate} + churn {churn_rate} = {customer_retention_rate + churn_rate}\"";

    RuleUnits = "K0704", "rule combines values of different units",
"A rule's condition and placeholders are checked like formulas: values are added,
subtracted and compared only in the same unit. Comparing a percent with money
(`churn_rate > average_order_value`) has no meaning. Compare each KPI with a value of
its own unit (`churn_rate > 10%`, `average_order_value > 500`), or compare changes,
which are plain numbers: `sales_pipeline / previous(sales_pipeline) > 1.1`.";
    BenchmarkScope = "K0504", "invalid benchmark scope (`applies_to`)",
"A benchmark's `applies_to` says which accounts its figure describes, so that `kpic
eval` compares it only with values of those accounts: `any`, or conditions on text
columns of `accounts`, each column once, joined by `and`:

    applies_to: accounts.industry == \"manufacturing\"
    applies_to: accounts.industry == \"software\" and accounts.tier == \"strategic\"
    applies_to: any

A value is compared with the benchmark when its scope fixes every column named: a
`--where industry=manufacturing` filter, or the `manufacturing` group of `--by
industry`. Without `applies_to` a benchmark applies to any scope.";

    BenchmarkPeriod = "K0505", "invalid benchmark period basis",
"A benchmark's `period` is the length of period its figure describes: `year`, `quarter`
or `month`. A rate over a year (churn, growth) is not comparable with one over a
quarter, so `kpic eval` compares the benchmark only with values over a period of that
length and says `not comparable: yearly figure, quarterly value` otherwise. Without
`period` the figure is compared with a value over any period.";
}
