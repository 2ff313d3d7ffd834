-- The exact distinct count of the KDA SQL reference's COUNT_DISTINCT_ITEMS_TUMBLING
-- page: a SELECT STREAM DISTINCT sub-query whose ROWTIME, selected AS window_time,
-- keeps its order, so the outer GROUP BY can window on it. The binding of the
-- demo stream comes first; the reference's SQL follows as printed.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (TICKER_SYMBOL VARCHAR(4), SECTOR VARCHAR(16), CHANGE REAL, PRICE REAL)
WITH (source = 'src', format = 'json', start = 'trim_horizon');
CREATE OR REPLACE STREAM output_stream (ticker_symbol VARCHAR(4), unique_count BIGINT); 


CREATE OR REPLACE PUMP stream_pump AS 
INSERT INTO output_stream 
SELECT STREAM TICKER_SYMBOL, COUNT(distinct_stream.price) AS unique_count
  FROM (
    SELECT STREAM DISTINCT rowtime as window_time, 

      TICKER_SYMBOL,   
      CHANGE, 
      PRICE, 
      STEP((SOURCE_SQL_STREAM_001.rowtime) BY INTERVAL '5' SECOND) 

      FROM SOURCE_SQL_STREAM_001) as distinct_stream
GROUP BY TICKER_SYMBOL, 
    STEP((distinct_stream.window_time) BY INTERVAL '5' SECOND);
