-- Tumbling windows whose key is not ROWTIME itself: STEP of ROWTIME shifted
-- by 5 seconds gives 10-second windows from :05 to :15, :15 to :25, ...
-- (their key, the window start in shifted time, is :00, :10, ...), and a
-- descending key, -FLOOR((ROWTIME - epoch) SECOND / 10 TO SECOND), gives
-- windows from :00 to :10, ... Each row's ROWTIME is the instant its window
-- ends, found by probing the key.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (k VARCHAR(4), v INTEGER)
WITH (source = 'events', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (kind VARCHAR(8), win TIMESTAMP, n INTEGER, total INTEGER);
CREATE OR REPLACE PUMP "SHIFTED" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM 'shifted', STEP(s.ROWTIME + INTERVAL '5' SECOND BY INTERVAL '10' SECOND), COUNT(*), SUM(v)
    FROM "SOURCE_SQL_STREAM_001" AS s
    GROUP BY STEP(s.ROWTIME + INTERVAL '5' SECOND BY INTERVAL '10' SECOND);
CREATE OR REPLACE PUMP "DESCENDING" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM 'desc', CAST(NULL AS TIMESTAMP), COUNT(*), SUM(v)
    FROM "SOURCE_SQL_STREAM_001" AS s
    GROUP BY -FLOOR((s.ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO SECOND);
