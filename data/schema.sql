-- The warehouse contract (../shared/WAREHOUSE.md), implemented once.
-- Required columns are NOT NULL; enumerations are CHECK constraints. The build reads
-- both back from the catalogue (duckdb_columns, duckdb_constraints) to report each
-- violation with table, row and column before anything reaches these tables.
-- Keys and foreign keys are listed in data/rules.py (checked in bulk, not indexed).
-- Which tables are required and which columns may be left out of a file: data/rules.py too.

create table teams (
    team_id         varchar not null,
    name            varchar not null,
    parent_team_id  varchar
);

create table reps (
    rep_id          varchar not null,
    name            varchar not null,
    team_id         varchar not null,
    manager_rep_id  varchar,
    region          varchar,
    hired_on        date,
    active          boolean not null
);

create table customers (
    customer_id     varchar not null,
    name            varchar not null,
    created_at      timestamp not null,
    type            varchar not null check (type in ('prospect', 'customer', 'agent', 'lost')),
    owner_rep_id    varchar,            -- empty = in the shared lead pool (公海池)
    industry        varchar,
    region          varchar,
    city            varchar,
    source          varchar,
    level           varchar
);

create table products (
    product_id      varchar not null,
    name            varchar not null,
    category        varchar not null,
    unit            varchar,
    list_price      decimal(18, 2)
);

create table stages (
    stage               varchar not null,
    position            integer not null check (position >= 1),
    default_probability decimal(5, 2) not null check (default_probability between 0 and 100),
    kind                varchar not null check (kind in ('open', 'won', 'lost'))
);

create table opportunities (
    opportunity_id      varchar not null,
    customer_id         varchar not null,
    rep_id              varchar not null,
    created_at          timestamp not null,
    stage               varchar not null,
    amount              decimal(18, 2) not null,
    probability         decimal(5, 2) check (probability between 0 and 100),
    expected_close_on   date,
    closed_on           date,
    lost_reason         varchar,
    competitor          varchar
);

create table opportunity_stage_history (
    opportunity_id  varchar not null,
    stage           varchar not null,
    entered_at      timestamp not null,
    exited_at       timestamp
);

create table contracts (
    contract_id     varchar not null,
    customer_id     varchar not null,
    rep_id          varchar not null,
    signed_on       date not null,
    amount          decimal(18, 2) not null,
    status          varchar not null check (status in ('active', 'void')),
    opportunity_id  varchar,
    ends_on         date
);

create table contract_items (
    contract_id     varchar not null,
    line_no         integer not null,
    product_id      varchar not null,
    quantity        decimal(18, 4) not null,   -- negative = customer return
    unit_price      decimal(18, 4) not null,
    amount          decimal(18, 2) not null    -- net line amount, after discount
);

create table payment_plans (
    plan_id         varchar not null,
    contract_id     varchar not null,
    due_on          date not null,
    amount          decimal(18, 2) not null
);

create table payments (
    payment_id      varchar not null,
    contract_id     varchar not null,
    paid_on         date not null,
    amount          decimal(18, 2) not null,
    plan_id         varchar,
    method          varchar
);

create table purchases (
    purchase_id     varchar not null,
    product_id      varchar not null,
    received_on     date not null,
    quantity        decimal(18, 4) not null check (quantity > 0),
    unit_cost       decimal(18, 4) not null check (unit_cost >= 0)
);

create table expenses (
    expense_id      varchar not null,
    rep_id          varchar not null,
    incurred_on     date not null,
    category        varchar not null,
    amount          decimal(18, 2) not null
);

create table activities (
    activity_id     varchar not null,
    customer_id     varchar not null,
    rep_id          varchar not null,
    occurred_at     timestamp not null,
    kind            varchar not null check (kind in ('visit', 'call', 'message', 'meeting', 'other'))
);

create table pool_events (
    customer_id     varchar not null,
    occurred_at     timestamp not null,
    event           varchar not null check (event in ('claim', 'release', 'auto_return', 'assign')),
    rep_id          varchar
);

create table targets (
    rep_id          varchar not null,
    month           date not null check (day(month) = 1),
    measure         varchar not null check (measure in ('contract_amount', 'payment_amount')),
    amount          decimal(18, 2) not null
);

-- Derived tables: written by the build (data/build.py), never imported.

create table cost_of_sales (
    contract_id         varchar not null,
    line_no             integer not null,
    product_id          varchar not null,
    method              varchar not null check (method in ('fifo', 'moving_average', 'monthly_average')),
    quantity            decimal(18, 4) not null,
    cogs                decimal(18, 2),          -- empty when the product is uncosted
    shortfall_quantity  decimal(18, 4) not null  -- units issued beyond stock on hand
);

create table build_info (
    built_at    timestamp not null,
    source      varchar not null,
    as_of       date,
    row_counts  map(varchar, bigint) not null
);
