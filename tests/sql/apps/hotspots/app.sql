-- HOTSPOTS as the KDA "Detecting Hotspots" example uses it: points spread
-- over [0,10]^2, one in five drawn from two tight clusters around (2,2) and
-- (7,6). Every row leaves with HOTSPOTS_RESULT for the window of the last
-- 100 rows; the rows marked "check" show it: after 51 rows the clusters
-- hold 6 and 5 points, fewer than the 8 a hotspot needs, so there is none;
-- at the end each cluster holds 10 points of the window (one noise point
-- falls within scanRadius of the second) and both are reported with their
-- bounds and density (points / bounding-box area, sides at least
-- scanRadius). SELECT without STREAM in the pump is as AWS's example writes it.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" ("x" DOUBLE, "y" DOUBLE, "is_hot" VARCHAR(4), "check" VARCHAR(1))
WITH (source = 'points', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    "x" DOUBLE, "y" DOUBLE, "is_hot" VARCHAR(4), "check" VARCHAR(1), HOTSPOTS_RESULT VARCHAR(10000));
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT "x", "y", "is_hot", "check", "HOTSPOTS_RESULT"
    FROM TABLE (HOTSPOTS(
        CURSOR(SELECT STREAM "x", "y", "is_hot", "check" FROM "SOURCE_SQL_STREAM_001"),
        100, 0.5, 8));

CREATE OR REPLACE STREAM "CHECKED" (HOTSPOTS_RESULT VARCHAR(10000));
CREATE OR REPLACE PUMP "CHECK_PUMP" AS INSERT INTO "CHECKED"
    SELECT STREAM HOTSPOTS_RESULT FROM "DESTINATION_SQL_STREAM" WHERE "check" = 'Y';
