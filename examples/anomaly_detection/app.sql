-- Anomaly detection, the Kinesis Data Analytics console's template for the
-- stock-ticker demo stream: RANDOM_CUT_FOREST scores every trade by how far
-- its numeric columns (CHANGE, PRICE) lie from the recent ones; a second
-- pump keeps the unusual ones (score above 1.4), each second's sorted by
-- score. The forest learns from the stream itself, so the first 256 trades
-- score 0; here it flags MSFT's moves at its highest prices and PFE's slide
-- to single digits.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    "TICKER_SYMBOL" VARCHAR(4), "SECTOR" VARCHAR(16), "CHANGE" DOUBLE, "PRICE" DOUBLE)
WITH (source = 'ticker', format = 'json', start = 'trim_horizon',
      mapping.TICKER_SYMBOL = '$.ticker_symbol', mapping.SECTOR = '$.sector',
      mapping.CHANGE = '$.change', mapping.PRICE = '$.price');

CREATE OR REPLACE STREAM "TEMP_STREAM" (
    "TICKER_SYMBOL" VARCHAR(4), "SECTOR" VARCHAR(16), "CHANGE" DOUBLE, "PRICE" DOUBLE, "ANOMALY_SCORE" DOUBLE);
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    "TICKER_SYMBOL" VARCHAR(4), "SECTOR" VARCHAR(16), "CHANGE" DOUBLE, "PRICE" DOUBLE, "ANOMALY_SCORE" DOUBLE);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "TEMP_STREAM"
    SELECT STREAM "TICKER_SYMBOL", "SECTOR", "CHANGE", "PRICE", "ANOMALY_SCORE"
    FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001")));

CREATE OR REPLACE PUMP "OUTPUT_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM * FROM "TEMP_STREAM"
    WHERE "ANOMALY_SCORE" > 1.4
    ORDER BY FLOOR("TEMP_STREAM".ROWTIME TO SECOND), "ANOMALY_SCORE" DESC;
