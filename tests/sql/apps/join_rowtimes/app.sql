-- The three timestamps of a stream-to-stream join, as the KDA ROWTIME
-- reference shows them: each input's own ROWTIME (n.ROWTIME, t.ROWTIME) and
-- the joined row's ROWTIME, the later of the two. A LEFT JOIN keeps news
-- without a trade in the window; its t.ROWTIME is NULL. The WHERE clause
-- uses an input's ROWTIME too (trades strictly before the news item).
CREATE OR REPLACE STREAM "TRADES" (
    ticker_symbol VARCHAR(4), sector VARCHAR(16), change REAL, price REAL)
WITH (source = 'ticker', format = 'json', start = 'trim_horizon');
CREATE OR REPLACE STREAM "NEWS" (ticker_symbol VARCHAR(4), headline VARCHAR(32))
WITH (source = 'news', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    ticker_symbol VARCHAR(4), news_time TIMESTAMP, trade_time TIMESTAMP, join_time TIMESTAMP, price REAL);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM n.ticker_symbol, n.ROWTIME, t.ROWTIME, ROWTIME, t.price
    FROM "NEWS" AS n
    LEFT JOIN "TRADES" OVER (RANGE INTERVAL '10' SECOND PRECEDING) AS t
    ON n.ticker_symbol = t.ticker_symbol
    WHERE t.ROWTIME IS NULL OR t.ROWTIME < n.ROWTIME;
