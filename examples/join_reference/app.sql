-- Enriches every trade with its company's name from reference data, as the
-- KDA "CompanyName" example does: a stream-to-table LEFT JOIN. The table is
-- read once from the `companies` stream when the application starts; trades
-- of a ticker it does not list (WMT) keep a NULL name. Each row keeps its
-- trade's ROWTIME.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    ticker_symbol VARCHAR(4),
    sector        VARCHAR(16),
    change        REAL,
    price         REAL)
WITH (source = 'ticker', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "CompanyName" (
    "Ticker"  VARCHAR(4),
    "Company" VARCHAR(32))
WITH (reference = 'companies', format = 'json');

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    ticker_symbol VARCHAR(4),
    company       VARCHAR(32),
    price         REAL);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM ticker_symbol, "c"."Company", price
    FROM "SOURCE_SQL_STREAM_001"
    LEFT JOIN "CompanyName" AS "c"
    ON "SOURCE_SQL_STREAM_001".ticker_symbol = "c"."Ticker";
