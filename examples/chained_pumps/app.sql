-- Two pumps in a row: the first keeps large moves, the second counts them
-- per sector every 30 seconds.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    ticker_symbol VARCHAR(4),
    sector        VARCHAR(16),
    change        REAL,
    price         REAL)
WITH (source = 'ticker', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "BIG_MOVES" (
    ticker_symbol VARCHAR(4),
    sector        VARCHAR(16),
    change        REAL);

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    sector    VARCHAR(16),
    big_moves INTEGER,
    net       REAL);

CREATE OR REPLACE PUMP "FILTER_PUMP" AS
    INSERT INTO "BIG_MOVES"
    SELECT STREAM ticker_symbol, sector, change
    FROM "SOURCE_SQL_STREAM_001"
    WHERE ABS(change) >= 2.0;

CREATE OR REPLACE PUMP "COUNT_PUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM sector, COUNT(*), SUM(change)
    FROM "BIG_MOVES"
    GROUP BY sector, FLOOR("BIG_MOVES".ROWTIME TO MINUTE);
