-- Two pumps write one in-application stream (the KDA pattern for several
-- inputs); a tumbling window over it must see both inputs' rows in ROWTIME
-- order, whichever input is read first.
CREATE OR REPLACE STREAM "IN_A" (v INTEGER) WITH (source = 'in_a', format = 'json', start = 'trim_horizon');
CREATE OR REPLACE STREAM "IN_B" (v INTEGER) WITH (source = 'in_b', format = 'json', start = 'trim_horizon');
CREATE OR REPLACE STREAM "BOTH" (v INTEGER);
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (n INTEGER, total INTEGER);

CREATE OR REPLACE PUMP "PUMP_A" AS INSERT INTO "BOTH" SELECT STREAM v FROM "IN_A";
CREATE OR REPLACE PUMP "PUMP_B" AS INSERT INTO "BOTH" SELECT STREAM v FROM "IN_B";
CREATE OR REPLACE PUMP "COUNT_PUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM COUNT(*), SUM(v) FROM "BOTH"
    GROUP BY STEP("BOTH".ROWTIME BY INTERVAL '30' SECOND);
