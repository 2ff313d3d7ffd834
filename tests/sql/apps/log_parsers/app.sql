-- The log parsers as the KDA developer guide's examples use them: a
-- function returning a row is selected as one item (AS r, or renamed by
-- the derived table's column list l(r)) and its fields are read as
-- alias.r.COLUMN1 or by the names a column spec gives.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    "log" VARCHAR(256), "Col_A" VARCHAR(16), "Col_B" VARCHAR(16), "Col_E_Unstructured" VARCHAR(64))
WITH (source = 'logs', format = 'json', start = 'trim_horizon');

-- W3C_LOG_PARSE with the COMMON format (Parsing Web Logs): seven fields;
-- a line that is not a web log gives NULLs, and so does a missing one.
CREATE OR REPLACE STREAM "W3C" (
    column1 VARCHAR(16), column2 VARCHAR(16), column3 VARCHAR(16), column4 VARCHAR(32),
    column5 VARCHAR(40), column6 VARCHAR(16), column7 VARCHAR(16));
CREATE OR REPLACE PUMP "W3C_PUMP" AS INSERT INTO "W3C"
    SELECT STREAM l.r.COLUMN1, l.r.COLUMN2, l.r.COLUMN3, l.r.COLUMN4, l.r.COLUMN5, l.r.COLUMN6, l.r.COLUMN7
    FROM (SELECT STREAM W3C_LOG_PARSE("log", 'COMMON') FROM "SOURCE_SQL_STREAM_001") AS l(r);

-- REGEX_LOG_PARSE (Parsing Log Strings Based on Regular Expressions): one
-- column per capture group; no match gives NULL fields.
CREATE OR REPLACE STREAM "REGEX" (host VARCHAR(16), method VARCHAR(8), path VARCHAR(32), status INTEGER);
CREATE OR REPLACE PUMP "REGEX_PUMP" AS INSERT INTO "REGEX"
    SELECT STREAM T.REC.COLUMN1, T.REC.COLUMN2, T.REC.COLUMN3, CAST(T.REC.COLUMN4 AS INTEGER)
    FROM (SELECT STREAM "log",
              REGEX_LOG_PARSE("log", '^(\S+) \S+ \S+ \[[^\]]+\] "(\S+) (\S+) [^"]*" (\d{3}) .*') AS REC
          FROM "SOURCE_SQL_STREAM_001") AS T;

-- VARIABLE_COLUMN_LOG_PARSE (Splitting Strings into Multiple Fields): a
-- column spec names and types the fields; missing ones are NULL, extra
-- ones are dropped.
CREATE OR REPLACE STREAM "SPLIT" (
    "column_A" VARCHAR(16), "column_B" VARCHAR(16), "COL_1" VARCHAR(16), "COL_2" VARCHAR(16), "COL_3" VARCHAR(16));
CREATE OR REPLACE PUMP "SPLIT_PUMP" AS INSERT INTO "SPLIT"
    SELECT STREAM t."Col_A", t."Col_B", t.r."COL_1", t.r."COL_2", t.r."COL_3"
    FROM (SELECT STREAM "Col_A", "Col_B",
              VARIABLE_COLUMN_LOG_PARSE("Col_E_Unstructured",
                  'COL_1 TYPE VARCHAR(16), COL_2 TYPE VARCHAR(16), COL_3 TYPE VARCHAR(16)', ';') AS r
          FROM "SOURCE_SQL_STREAM_001") AS t;
