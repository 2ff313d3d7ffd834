-- CSV records (ticker,sector,change,price), taken by position. Rows whose
-- price is over 100 are kept, with the notional value of 10 shares.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    ticker_symbol VARCHAR(4),
    sector        VARCHAR(16),
    change        DECIMAL(6,2),
    price         DECIMAL(8,2))
WITH (source = 'ticker_csv', format = 'csv', column_delimiter = ',', row_delimiter = '\n',
      start = 'trim_horizon');

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    ticker_symbol VARCHAR(4),
    price         DECIMAL(8,2),
    notional      DECIMAL(10,2));

CREATE OR REPLACE PUMP "STREAM_PUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM ticker_symbol, price, price * 10
    FROM "SOURCE_SQL_STREAM_001"
    WHERE price > 100;
