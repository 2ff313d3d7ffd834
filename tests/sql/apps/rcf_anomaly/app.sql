-- RANDOM_CUT_FOREST as the KDA anomaly-detection example uses it, over a
-- noisy sine wave in two columns with three injected anomalies (rows 700
-- and 900 jump in A, row 1000 drops in B). The model learns from the
-- stream itself (scores are 0 until it has seen subSampleSize rows); only
-- rows scoring above 2.5 are kept, and exactly the three anomalies do.
-- RANDOM_CUT_FOREST_WITH_EXPLANATION says which column made each one
-- anomalous and in which direction.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (sensor VARCHAR(4), a DOUBLE, b DOUBLE)
WITH (source = 'sensors', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "TEMP_STREAM" (sensor VARCHAR(4), a DOUBLE, b DOUBLE, ANOMALY_SCORE DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "TEMP_STREAM"
    SELECT STREAM sensor, a, b, ANOMALY_SCORE
    FROM TABLE(RANDOM_CUT_FOREST(
        CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"), 100, 256, 100000, 1));

CREATE OR REPLACE STREAM "ANOMALIES" (sensor VARCHAR(4), a DOUBLE, b DOUBLE);
CREATE OR REPLACE PUMP "OUTPUT_PUMP" AS INSERT INTO "ANOMALIES"
    SELECT STREAM sensor, a, b FROM "TEMP_STREAM" WHERE ANOMALY_SCORE > 2.5;

CREATE OR REPLACE STREAM "EXPLAINED" (a DOUBLE, b DOUBLE, direction_a VARCHAR(4), direction_b VARCHAR(4));
CREATE OR REPLACE PUMP "EXPLAIN_PUMP" AS INSERT INTO "EXPLAINED"
    SELECT STREAM a, b,
        CASE WHEN POSITION('"A":{"DIRECTION":"HIGH"' IN ANOMALY_EXPLANATION) > 0 THEN 'HIGH' ELSE 'LOW' END,
        CASE WHEN POSITION('"B":{"DIRECTION":"HIGH"' IN ANOMALY_EXPLANATION) > 0 THEN 'HIGH' ELSE 'LOW' END
    FROM TABLE(RANDOM_CUT_FOREST_WITH_EXPLANATION(
        CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"), 100, 256, 100000, 1, true))
    WHERE ANOMALY_SCORE > 2.5;
