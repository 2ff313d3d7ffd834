-- TOP_K_ITEMS_TUMBLING as the KDA SQL reference's example writes it: the
-- three most frequent ticker symbols of each 10-second tumbling window,
-- emitted when the window closes with ROWTIME = its end. NULL symbols are
-- not counted; equal counts rank by value (AAPL before MSFT); the empty
-- window 00:00:10-00:00:20 gives no rows; a window with fewer than K
-- distinct values gives fewer rows. The window from 00:00:40 holds 12,000
-- distinct symbols, more than the 10,000 counted exactly: the frequent
-- ones (HOT1 500 times, HOT2 300, HOT3 200) still come out with their exact
-- counts (Space-Saving only evicts the least counted).
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    ticker_symbol VARCHAR(8), sector VARCHAR(16), price DOUBLE)
WITH (source = 'ticks', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM DESTINATION_SQL_STREAM (
    "TICKER_SYMBOL" VARCHAR(4),
    "MOST_FREQUENT_VALUES" BIGINT);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM *
    FROM TABLE (TOP_K_ITEMS_TUMBLING(
        CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"),
        'TICKER_SYMBOL',    -- name of column in single quotes
        3,                  -- number of the most frequently occurring values
        10                  -- tumbling window size in seconds
    ));
