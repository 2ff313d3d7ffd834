-- Stagger windows: each ticker's window opens with its first trade and
-- closes 20 seconds later, whatever the other tickers do.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    ticker_symbol VARCHAR(4),
    sector        VARCHAR(16),
    change        REAL,
    price         REAL)
WITH (source = 'ticker', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    ticker_symbol VARCHAR(4),
    trades        INTEGER,
    total_change  REAL);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM ticker_symbol, COUNT(*) AS trades, SUM(change) AS total_change
    FROM "SOURCE_SQL_STREAM_001"
    WINDOWED BY STAGGER (PARTITION BY ticker_symbol RANGE INTERVAL '20' SECOND);
