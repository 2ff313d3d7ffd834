-- Event time instead of arrival time: the first pump promotes each
-- reading's own timestamp to ROWTIME (readings arrive in event-time order),
-- the second counts readings per device per minute of event time.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    device     VARCHAR(8),
    event_time TIMESTAMP,
    reading    DOUBLE)
WITH (source = 'readings', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "BY_EVENT_TIME" (
    device  VARCHAR(8),
    reading DOUBLE);

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    device   VARCHAR(8),
    readings INTEGER,
    average  DOUBLE);

CREATE OR REPLACE PUMP "PROMOTE_PUMP" AS
    INSERT INTO "BY_EVENT_TIME"
    SELECT STREAM event_time AS ROWTIME, device, reading
    FROM "SOURCE_SQL_STREAM_001";

CREATE OR REPLACE PUMP "COUNT_PUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM device, COUNT(*), AVG(reading)
    FROM "BY_EVENT_TIME"
    GROUP BY device, STEP("BY_EVENT_TIME".ROWTIME BY INTERVAL '1' MINUTE);
