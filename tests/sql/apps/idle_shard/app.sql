-- Shard 1 goes idle after its second record (00:00:00.500): its windows and
-- those of the busy shard must still close (in --drain mode and live, see
-- tests/unit/check_runtime_live.c) rather than wait for shard 1 forever.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    k  VARCHAR(4),
    v  INTEGER)
WITH (source = 'events', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (k VARCHAR(4), n INTEGER, total INTEGER);
CREATE OR REPLACE PUMP "TUMBLE_PUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM k, COUNT(*), SUM(v)
    FROM "SOURCE_SQL_STREAM_001"
    GROUP BY k, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '15' SECOND);

