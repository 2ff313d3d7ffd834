-- GROUP_RANK ranks the rows that share a ROWTIME by price, highest first
-- (RANK: AAPL and MSFT tie at 180 and share rank 2, TSLA's 250.25 is 1,
-- the next rank after the tie is 4), NULL prices last; rows leave in
-- ascending rank order, ties ordered by their other columns, once a later
-- ROWTIME (or the watermark) shows the group is complete.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (ticker_symbol VARCHAR(4), price DOUBLE)
WITH (source = 'ticks', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "RANKED" (ticker_symbol VARCHAR(4), price DOUBLE, price_rank INTEGER);

CREATE OR REPLACE PUMP "RANK_PUMP" AS INSERT INTO "RANKED"
    SELECT STREAM ticker_symbol, price, "groupRank"
    FROM TABLE(GROUP_RANK(
        CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"),
        'PRICE', 'groupRank', 'desc', 'asc', 0, 0));

-- The two best of each group only.
CREATE OR REPLACE STREAM "TOP2" (ticker_symbol VARCHAR(4), price DOUBLE, r INTEGER);
CREATE OR REPLACE PUMP "TOP2_PUMP" AS INSERT INTO "TOP2"
    SELECT STREAM * FROM TABLE(GROUP_RANK(
        CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"),
        'price', 'r', 'desc', 'desc', 0, 2));
