-- Sliding windows: named and inline OVER windows.
SELECT STREAM ticker_symbol,
       MIN(price) OVER W1 AS min_price,
       AVG(price) OVER W1 AS avg_price,
       AVG(price) OVER (PARTITION BY ticker_symbol RANGE INTERVAL '1' HOUR PRECEDING) AS avg_1h,
       SUM(price) OVER last2rows AS sum_2,
       LAG(price, 1, 0) IGNORE NULLS OVER last2rows AS prev_price,
       NTH_VALUE(price, 2) FROM LAST RESPECT NULLS OVER W1 AS second_last,
       FIRST_VALUE(price) OVER (ROWS CURRENT ROW) AS same_price,
       EXP_AVG(price, INTERVAL '10' SECOND) OVER (RANGE INTERVAL '30' SECOND PRECEDING) AS ewa
FROM "SOURCE_SQL_STREAM_001"
WINDOW W1 AS (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING),
       last2rows AS (PARTITION BY ticker_symbol ROWS 2 PRECEDING);

SELECT STREAM "city", AVG("temperature") OVER "w" AS "avg_temp"
FROM WEATHERSTREAM
WINDOW "w" AS (PARTITION BY "city" RANGE INTERVAL '59:59.999' MINUTE TO SECOND(3) PRECEDING);
