-- FIRST_VALUE / LAST_VALUE with IGNORE NULLS (the first / last non-NULL
-- value) against RESPECT NULLS (the default: the first / last row's value,
-- NULL or not), over a sliding window and a tumbling one.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (ticker_symbol VARCHAR(4), price DOUBLE)
WITH (source = 'ticks', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "SLIDING" (ticker_symbol VARCHAR(4), price DOUBLE,
    first_any DOUBLE, first_nn DOUBLE, last_any DOUBLE, last_nn DOUBLE);
CREATE OR REPLACE PUMP "SLIDE_PUMP" AS INSERT INTO "SLIDING"
    SELECT STREAM ticker_symbol, price,
        FIRST_VALUE(price) OVER w, FIRST_VALUE(price) IGNORE NULLS OVER w,
        LAST_VALUE(price) OVER w, LAST_VALUE(price) IGNORE NULLS OVER w
    FROM "SOURCE_SQL_STREAM_001"
    WINDOW w AS (PARTITION BY ticker_symbol RANGE INTERVAL '10' SECOND PRECEDING);

CREATE OR REPLACE STREAM "TUMBLING" (ticker_symbol VARCHAR(4), first_nn DOUBLE, last_nn DOUBLE, last_any DOUBLE);
CREATE OR REPLACE PUMP "TUMBLE_PUMP" AS INSERT INTO "TUMBLING"
    SELECT STREAM ticker_symbol, FIRST_VALUE(price) IGNORE NULLS, LAST_VALUE(price) IGNORE NULLS, LAST_VALUE(price)
    FROM "SOURCE_SQL_STREAM_001"
    GROUP BY ticker_symbol, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);
