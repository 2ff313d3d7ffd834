-- Web analytics from raw access-log lines, with the functions of the KDA
-- developer guide's log examples: W3C_LOG_PARSE splits each Common Log
-- Format line into its fields (l.r.COLUMN1 ... COLUMN7), a pump keeps the
-- host, request and status as typed columns, and two table functions
-- summarise each minute: the three most requested pages
-- (TOP_K_ITEMS_TUMBLING) and the number of distinct visitors
-- (COUNT_DISTINCT_ITEMS_TUMBLING).
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" ("log" VARCHAR(256))
WITH (source = 'weblogs', format = 'json', start = 'trim_horizon');

CREATE OR REPLACE STREAM "REQUESTS" (host VARCHAR(40), request VARCHAR(128), status INTEGER, bytes INTEGER);
CREATE OR REPLACE PUMP "PARSE_PUMP" AS INSERT INTO "REQUESTS"
    SELECT STREAM l.r.COLUMN1, l.r.COLUMN5, CAST(l.r.COLUMN6 AS INTEGER), CAST(l.r.COLUMN7 AS INTEGER)
    FROM (SELECT STREAM W3C_LOG_PARSE("log", 'COMMON') FROM "SOURCE_SQL_STREAM_001") AS l(r);

CREATE OR REPLACE STREAM "TOP_PAGES" (request VARCHAR(128), hits BIGINT);
CREATE OR REPLACE PUMP "TOP_PUMP" AS INSERT INTO "TOP_PAGES"
    SELECT STREAM * FROM TABLE(TOP_K_ITEMS_TUMBLING(
        CURSOR(SELECT STREAM * FROM "REQUESTS" WHERE status = 200), 'REQUEST', 3, 60));

CREATE OR REPLACE STREAM "VISITORS" (distinct_hosts BIGINT);
CREATE OR REPLACE PUMP "VISITOR_PUMP" AS INSERT INTO "VISITORS"
    SELECT STREAM * FROM TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(
        CURSOR(SELECT STREAM * FROM "REQUESTS"), 'HOST', 60));
