-- Log parsing functions return rows; their columns are reached as alias.row.COLUMNn.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    "host" VARCHAR(64), "request" VARCHAR(256), "status" INTEGER);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM l.r.COLUMN1, l.r.COLUMN5, CAST(l.r.COLUMN6 AS INTEGER)
    FROM (SELECT STREAM W3C_LOG_PARSE("log", 'COMMON') AS r
          FROM "SOURCE_SQL_STREAM_001") AS l;

SELECT STREAM T.REC.COLUMN1, T.REC.COLUMN2
FROM (SELECT STREAM REGEX_LOG_PARSE("referrer", '(\w.+) (\d.+) (\w.+)') AS REC
      FROM "SOURCE_SQL_STREAM_001") AS T;

SELECT STREAM t.r."COL_1", t.r."COL_2"
FROM (SELECT STREAM VARIABLE_COLUMN_LOG_PARSE(
          "message", 'COL_1 TYPE VARCHAR(16), COL_2 TYPE VARCHAR(16)', u&'\0009', '\', '"') AS r
      FROM "SOURCE_SQL_STREAM_001") AS t;

SELECT STREAM FAST_REGEX_LOG_PARSE("line", '.*?(\d+).*') AS p,
       FIXED_COLUMN_LOG_PARSE("line", '"name" TYPE VARCHAR(8) START 0 FOR 8, "ts" TYPE TIMESTAMP ''dd/MMM/yyyy:HH:mm:ss'' START 8') AS q,
       SYS_LOG_PARSE("line") AS s
FROM "SOURCE_SQL_STREAM_001";

SELECT STREAM REGEX_REPLACE("referrer", 'http://', 'https://', 1, 0) AS fixed,
       SUBSTRING("referrer" FROM 8 FOR 5) AS part,
       SUBSTRING("referrer", 1, 4) AS head,
       SUBSTRING("referrer" SIMILAR '%#"o_b#"%' ESCAPE '#') AS mid,
       POSITION('://' IN "referrer") AS pos,
       TRIM(BOTH ' ' FROM "referrer") AS t1,
       TRIM(LEADING FROM "referrer") AS t2,
       TRIM(TRAILING 'x' FROM "referrer") AS t3,
       TRIM('x' FROM "referrer") AS t4,
       OVERLAY("referrer" PLACING 'www' FROM 8 FOR 3) AS o,
       CHAR_LENGTH("referrer"), INITCAP("referrer"), LOWER("referrer"), UPPER("referrer")
FROM "SOURCE_SQL_STREAM_001";
