-- LAG and NTH_VALUE with IGNORE NULLS: a sensor that reports a reading only
-- now and then. LAG(..) IGNORE NULLS carries the last reading of the window
-- forward however many rows without one came since (NULL, or the default,
-- once no reading is left in the 10-second window: as the KDA reference
-- says, the default is returned when the row asked for falls outside the
-- window); NTH_VALUE(..) IGNORE NULLS counts only the readings of the
-- frame, from its first or its last row.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (sensor VARCHAR(8), reading INTEGER)
WITH (source = 'readings', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "FILLED" (sensor VARCHAR(8), reading INTEGER,
    last_reading INTEGER, reading_before INTEGER, second_in_window INTEGER, latest_in_window INTEGER);
CREATE OR REPLACE PUMP "FILL_PUMP" AS INSERT INTO "FILLED"
    SELECT STREAM sensor, reading,
        LAG(reading) IGNORE NULLS OVER w,
        LAG(reading, 2, -1) IGNORE NULLS OVER w,
        NTH_VALUE(reading, 2) IGNORE NULLS OVER w,
        NTH_VALUE(reading, 1) FROM LAST IGNORE NULLS OVER w
    FROM "SOURCE_SQL_STREAM_001"
    WINDOW w AS (PARTITION BY sensor RANGE INTERVAL '10' SECOND PRECEDING);
