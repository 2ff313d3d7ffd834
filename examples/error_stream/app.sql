-- Records that do not fit the schema (a heart rate of 300 does not fit
-- TINYINT; "fast" is not a number) and rows that fail at run time (a
-- division by zero) go to error_stream with the reason; the rest flow on.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    sensor     VARCHAR(8),
    heart_rate TINYINT,
    steps      INTEGER)
WITH (source = 'vitals', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    sensor       VARCHAR(8),
    heart_rate   TINYINT,
    beats_a_step INTEGER);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM sensor, heart_rate, heart_rate / steps
    FROM "SOURCE_SQL_STREAM_001";
