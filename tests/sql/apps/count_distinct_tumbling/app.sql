-- COUNT_DISTINCT_ITEMS_TUMBLING as the KDA SQL reference's example writes
-- it, over 10-second windows: exact up to 10,000 distinct values (the
-- first window: 5 symbols in 9 non-NULL rows), HyperLogLog beyond (the
-- third window holds 12,000 distinct symbols; the estimate is within 1 %),
-- no row for the empty window.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (ticker_symbol VARCHAR(8))
WITH (source = 'ticks', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM DESTINATION_SQL_STREAM (NUMBER_OF_DISTINCT_ITEMS BIGINT);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM *
    FROM TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(
        CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"),
        'ticker_symbol',   -- name of column in single quotes (matched ignoring case)
        10                 -- tumbling window size in seconds
    ));
