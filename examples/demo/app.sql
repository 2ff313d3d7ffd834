-- The `make demo` application: five minutes of stock-ticker trades.
--   SECTOR_SUMMARY   a tumbling window: trades and average price per sector
--                    every 30 seconds
--   PRICE_ALERTS     a sliding window: trades more than 2% away from their
--                    ticker's average over the trailing minute
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    ticker_symbol VARCHAR(4),
    sector        VARCHAR(16),
    change        DOUBLE,
    price         DOUBLE)
WITH (source = 'ticker', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "SECTOR_SUMMARY" (
    sector    VARCHAR(16),
    trades    INTEGER,
    avg_price DOUBLE);

CREATE OR REPLACE PUMP "SUMMARY_PUMP" AS
    INSERT INTO "SECTOR_SUMMARY"
    SELECT STREAM sector, COUNT(*), ROUND(AVG(price), 2)
    FROM "SOURCE_SQL_STREAM_001"
    GROUP BY sector, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '30' SECOND);

CREATE OR REPLACE STREAM "WITH_AVERAGE" (
    ticker_symbol VARCHAR(4),
    price         DOUBLE,
    avg_1m        DOUBLE);

CREATE OR REPLACE PUMP "AVERAGE_PUMP" AS
    INSERT INTO "WITH_AVERAGE"
    SELECT STREAM ticker_symbol, price,
        AVG(price) OVER (PARTITION BY ticker_symbol
                                         RANGE INTERVAL '1' MINUTE PRECEDING)
    FROM "SOURCE_SQL_STREAM_001";

CREATE OR REPLACE STREAM "PRICE_ALERTS" (
    ticker_symbol VARCHAR(4),
    price         DOUBLE,
    avg_1m        DOUBLE,
    direction     VARCHAR(4));

CREATE OR REPLACE PUMP "ALERT_PUMP" AS
    INSERT INTO "PRICE_ALERTS"
    SELECT STREAM ticker_symbol, price, ROUND(avg_1m, 2),
        CASE WHEN price > avg_1m THEN 'UP' ELSE 'DOWN' END
    FROM "WITH_AVERAGE"
    WHERE ABS(price - avg_1m) > avg_1m * 0.02;
