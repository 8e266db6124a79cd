-- The FlexyBox source database as FlexyVisma's export stage reads it (SQLite).
-- Amounts are integer øre (DKK × 100) and quantities integer ten-thousandths, so that no
-- floating point ever touches money. Timestamps are ISO 8601 with offset; days YYYY-MM-DD.
-- Master data rows carry modified_at, which drives "export what changed since the last export".

PRAGMA foreign_keys = ON;

CREATE TABLE departments (
    code         TEXT PRIMARY KEY,            -- short code, used in file names (cafe, restaurant)
    name         TEXT NOT NULL UNIQUE          -- afdeling as FlexyBox shows it (Café)
);

CREATE TABLE vat_codes (
    code         TEXT PRIMARY KEY,            -- FlexyBox VAT code ("25", "0")
    rate_percent INTEGER NOT NULL CHECK (rate_percent BETWEEN 0 AND 100),
    description  TEXT NOT NULL
);

CREATE TABLE item_groups (
    name         TEXT PRIMARY KEY             -- varegruppe
);

CREATE TABLE payment_types (
    name         TEXT PRIMARY KEY,            -- betalingstype, matched by name in Visma
    active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

CREATE TABLE suppliers (
    name         TEXT PRIMARY KEY,            -- leverandør, matched by name in Visma
    email        TEXT
);

CREATE TABLE items (
    item_number      TEXT PRIMARY KEY,        -- varenummer
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('product', 'raw_material')),
    item_group       TEXT REFERENCES item_groups (name),
    unit             TEXT NOT NULL,
    sales_price_ore  INTEGER,                 -- incl. VAT; products only
    cost_price_ore   INTEGER,
    vat_code         TEXT NOT NULL REFERENCES vat_codes (code),
    visma_item_class TEXT,                    -- override of the configured class
    active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    modified_at      TEXT NOT NULL
);

CREATE TABLE calculations (                   -- kalkulation (recipe) of a product
    item_number  TEXT NOT NULL REFERENCES items (item_number),
    revision     INTEGER NOT NULL CHECK (revision > 0),
    modified_at  TEXT NOT NULL,
    PRIMARY KEY (item_number, revision)
);

CREATE TABLE calculation_components (
    item_number    TEXT NOT NULL,
    revision       INTEGER NOT NULL,
    line           INTEGER NOT NULL,
    component_item TEXT NOT NULL REFERENCES items (item_number),
    quantity_e4    INTEGER NOT NULL,          -- ten-thousandths of the unit
    unit           TEXT NOT NULL,
    PRIMARY KEY (item_number, revision, line),
    FOREIGN KEY (item_number, revision) REFERENCES calculations (item_number, revision)
);

CREATE TABLE customers (
    customer_number TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    address_line1   TEXT,
    address_line2   TEXT,
    postal_code     TEXT,
    city            TEXT,
    country         TEXT,
    email           TEXT,
    phone           TEXT,
    vat_number      TEXT,
    customer_class  TEXT,
    modified_at     TEXT NOT NULL
);

CREATE TABLE customer_payments (              -- kunde ind- og udbetalinger
    payment_id      TEXT PRIMARY KEY,
    business_day    TEXT NOT NULL,
    customer_number TEXT NOT NULL,
    payment_type    TEXT NOT NULL,
    amount_ore      INTEGER NOT NULL,         -- positive deposit, negative withdrawal
    currency        TEXT NOT NULL DEFAULT 'DKK',
    department      TEXT REFERENCES departments (code),
    reference       TEXT
);
CREATE INDEX customer_payments_by_day ON customer_payments (business_day);

CREATE TABLE purchase_orders (
    number       TEXT PRIMARY KEY,
    supplier     TEXT NOT NULL,               -- supplier name (no foreign key: FlexyBox allows free text)
    order_date   TEXT NOT NULL,
    department   TEXT REFERENCES departments (code)
);
CREATE INDEX purchase_orders_by_day ON purchase_orders (order_date);

CREATE TABLE purchase_order_lines (
    po_number     TEXT NOT NULL REFERENCES purchase_orders (number),
    line          INTEGER NOT NULL,
    item_number   TEXT NOT NULL,
    quantity_e4   INTEGER NOT NULL,
    unit          TEXT NOT NULL,
    unit_cost_ore INTEGER NOT NULL,
    PRIMARY KEY (po_number, line)
);

CREATE TABLE receipts (                       -- kvitteringer; numbers are sequential per venue (CVR)
    number       INTEGER PRIMARY KEY,
    department   TEXT NOT NULL REFERENCES departments (code),
    register     TEXT NOT NULL,
    business_day TEXT NOT NULL,
    time         TEXT NOT NULL
);
CREATE INDEX receipts_by_day ON receipts (business_day, department, number);

CREATE TABLE receipt_lines (
    receipt_number INTEGER NOT NULL REFERENCES receipts (number),
    line           INTEGER NOT NULL,
    item_number    TEXT NOT NULL,
    item_group     TEXT NOT NULL,
    quantity_e4    INTEGER NOT NULL,          -- negative on refunds
    unit_price_ore INTEGER NOT NULL,
    discount_ore   INTEGER NOT NULL DEFAULT 0,
    amount_ore     INTEGER NOT NULL,          -- quantity × unit price − discount, incl. VAT
    vat_code       TEXT NOT NULL,
    PRIMARY KEY (receipt_number, line)
);

CREATE TABLE receipt_tenders (
    receipt_number INTEGER NOT NULL REFERENCES receipts (number),
    line           INTEGER NOT NULL,
    payment_type   TEXT NOT NULL,
    amount_ore     INTEGER NOT NULL,
    PRIMARY KEY (receipt_number, line)
);
