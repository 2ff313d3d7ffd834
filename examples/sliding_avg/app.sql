-- For every trade, the average and range of its ticker's price over the
-- trailing 30 seconds (a KDA per-row sliding window).
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    ticker_symbol VARCHAR(4),
    sector        VARCHAR(16),
    change        REAL,
    price         REAL)
WITH (source = 'ticker', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    ticker_symbol VARCHAR(4),
    price         REAL,
    avg_price     REAL,
    min_price     REAL,
    max_price     REAL,
    trades        INTEGER);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM ticker_symbol, price,
        AVG(price) OVER w AS avg_price,
        MIN(price) OVER w AS min_price,
        MAX(price) OVER w AS max_price,
        COUNT(*) OVER w AS trades
    FROM "SOURCE_SQL_STREAM_001"
    WINDOW w AS (PARTITION BY ticker_symbol RANGE INTERVAL '30' SECOND PRECEDING);
