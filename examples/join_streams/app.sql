-- For every news item, the trades of its ticker in the 10 seconds before it
-- (a stream-to-stream join; the trades side has a RANGE window, the news
-- side only its current row). A trade exactly 10 s earlier, or at the same
-- instant, still counts. A news item with no such trade (IBM, not traded)
-- is kept by the LEFT JOIN with NULL trade columns. Output ROWTIME is the
-- later of the two rows' ROWTIMEs: the news item's.
CREATE OR REPLACE STREAM "TRADES" (
    ticker_symbol VARCHAR(4),
    sector        VARCHAR(16),
    change        REAL,
    price         REAL)
WITH (source = 'ticker', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "NEWS" (
    ticker_symbol VARCHAR(4),
    headline      VARCHAR(32))
WITH (source = 'news', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    ticker_symbol VARCHAR(4),
    headline      VARCHAR(32),
    price         REAL,
    change        REAL);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM n.ticker_symbol, n.headline, t.price, t.change
    FROM "NEWS" AS n
    LEFT JOIN "TRADES" OVER (RANGE INTERVAL '10' SECOND PRECEDING) AS t
    ON n.ticker_symbol = t.ticker_symbol;
