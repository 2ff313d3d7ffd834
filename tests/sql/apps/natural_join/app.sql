-- NATURAL JOIN: the join condition is equality on every column name both
-- sides have, here TICKER_SYMBOL of the trades and of the reference table.
-- A trade of a ticker the table does not list (WMT) keeps a NULL company.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (ticker_symbol VARCHAR(4), price REAL)
WITH (source = 'ticker', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "COMPANIES" (ticker_symbol VARCHAR(4), company VARCHAR(32))
WITH (reference = 'companies', format = 'json');

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), company VARCHAR(32), price REAL);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM t.ticker_symbol, c.company, t.price
    FROM "SOURCE_SQL_STREAM_001" AS t NATURAL LEFT JOIN "COMPANIES" AS c;
