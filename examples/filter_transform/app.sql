-- The AWS "continuous filter" template, transformed: technology and energy
-- trades whose price moved up, with a label and the ticker in lower case.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    ticker_symbol VARCHAR(4),
    sector        VARCHAR(16),
    change        REAL,
    price         REAL)
WITH (source = 'ticker', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    ticker   VARCHAR(4),
    sector   VARCHAR(16),
    movement VARCHAR(8),
    price    REAL);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM LOWER(ticker_symbol), sector,
        CASE WHEN change > 1.5 THEN 'jump' ELSE 'rise' END,
        price
    FROM "SOURCE_SQL_STREAM_001"
    WHERE sector IN ('TECHNOLOGY', 'ENERGY') AND change > 0;
