-- EXP_AVG as the KDA SQL reference's example writes it: an average over the
-- last 30 seconds of each ticker, weighted so that a price 10 seconds older
-- counts half as much (the half-life). AMZN at 00:00:20: prices 10, 20, 40
-- weigh 1/4, 1/2, 1, giving 30; at 00:00:40 the price of 00:00:00 has left
-- the window. NULL prices are skipped; a window of only NULLs gives NULL.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (ticker_symbol VARCHAR(4), price DOUBLE)
WITH (source = 'ticks', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), price DOUBLE, avg_price DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM ticker_symbol, price, EXP_AVG(price, INTERVAL '10' SECOND) OVER W1 AS avg_price
    FROM "SOURCE_SQL_STREAM_001"
    WINDOW W1 AS (PARTITION BY ticker_symbol RANGE INTERVAL '30' SECOND PRECEDING);
