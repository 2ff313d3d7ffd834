-- IN (SELECT ...) and EXISTS over reference data. "Watch" lists tickers
-- with a price limit; one row has no ticker (NULL), which is what SQL's
-- NOT IN turns on: x NOT IN a set holding NULL is never TRUE.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (ticker_symbol VARCHAR(4), price DOUBLE)
WITH (source = 'ticks', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "Watch" (ticker VARCHAR(4), "limit" DOUBLE)
WITH (reference = 'watch', format = 'json');

-- Watched tickers (the NULL row left out by the sub-query's WHERE).
CREATE OR REPLACE STREAM "WATCHED" (ticker_symbol VARCHAR(4), price DOUBLE);
CREATE OR REPLACE PUMP "P_IN" AS INSERT INTO "WATCHED"
    SELECT STREAM ticker_symbol, price FROM "SOURCE_SQL_STREAM_001"
    WHERE ticker_symbol IN (SELECT ticker FROM "Watch" WHERE ticker IS NOT NULL) AND price > 0;

-- The others; a row without a ticker is neither IN nor NOT IN.
CREATE OR REPLACE STREAM "UNWATCHED" (ticker_symbol VARCHAR(4), price DOUBLE);
CREATE OR REPLACE PUMP "P_NOT_IN" AS INSERT INTO "UNWATCHED"
    SELECT STREAM ticker_symbol, price FROM "SOURCE_SQL_STREAM_001"
    WHERE ticker_symbol NOT IN (SELECT ticker FROM "Watch" WHERE ticker IS NOT NULL);

-- Against the whole table, NULL row included: no row at all.
CREATE OR REPLACE STREAM "NOT_IN_WITH_NULL" (ticker_symbol VARCHAR(4), price DOUBLE);
CREATE OR REPLACE PUMP "P_NOT_IN_NULL" AS INSERT INTO "NOT_IN_WITH_NULL"
    SELECT STREAM ticker_symbol, price FROM "SOURCE_SQL_STREAM_001"
    WHERE ticker_symbol NOT IN (SELECT ticker FROM "Watch");

-- Correlated: trades above their ticker's limit, and those that are not.
-- ticker_symbol and price are the stream's; w."limit" the table's.
CREATE OR REPLACE STREAM "OVER_LIMIT" (ticker_symbol VARCHAR(4), price DOUBLE);
CREATE OR REPLACE PUMP "P_EXISTS" AS INSERT INTO "OVER_LIMIT"
    SELECT STREAM ticker_symbol, price FROM "SOURCE_SQL_STREAM_001"
    WHERE EXISTS (SELECT * FROM "Watch" AS w WHERE w.ticker = ticker_symbol AND price > w."limit");

CREATE OR REPLACE STREAM "NOT_OVER_LIMIT" (ticker_symbol VARCHAR(4), price DOUBLE);
CREATE OR REPLACE PUMP "P_NOT_EXISTS" AS INSERT INTO "NOT_OVER_LIMIT"
    SELECT STREAM ticker_symbol, price FROM "SOURCE_SQL_STREAM_001"
    WHERE NOT EXISTS (SELECT * FROM "Watch" AS w WHERE w.ticker = ticker_symbol AND price > w."limit");

-- A row value: trades exactly 10 above one of their ticker's limits.
CREATE OR REPLACE STREAM "AT_LIMIT_PLUS_10" (ticker_symbol VARCHAR(4), price DOUBLE);
CREATE OR REPLACE PUMP "P_ROW" AS INSERT INTO "AT_LIMIT_PLUS_10"
    SELECT STREAM ticker_symbol, price FROM "SOURCE_SQL_STREAM_001"
    WHERE (ticker_symbol, price) IN (SELECT ticker, "limit" + 10 FROM "Watch");
