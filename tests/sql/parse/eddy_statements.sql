-- eddy's own statements: stream bindings, catalog inspection, EXPLAIN, REPL limits.
CREATE STREAM trades (
    ticker VARCHAR(4) NOT NULL,
    price  DECIMAL(8, 2),
    qty    BIGINT,
    at     TIMESTAMP)
    DESCRIPTION 'trades from the exchange feed'
    WITH (source = 'store', 'stream' = 'trades', format = 'json', shards = 4, strict = FALSE);
CREATE OR REPLACE PUMP p STARTED AS INSERT INTO out_stream SELECT STREAM * FROM trades;
SHOW STREAMS;
SHOW PUMPS;
SHOW FUNCTIONS;
DESCRIBE trades;
DESCRIBE EXTENDED "trades";
EXPLAIN SELECT STREAM ticker, COUNT(*) FROM trades GROUP BY ticker, STEP(trades.ROWTIME BY INTERVAL '10' SECOND);
EXPLAIN CREATE PUMP p2 AS INSERT INTO out_stream SELECT STREAM * FROM trades WHERE qty > 100;
SELECT STREAM * FROM trades LIMIT 10;
DROP PUMP p;
DROP STREAM IF EXISTS trades;
DROP FUNCTION get_fraction;
