/* SQL-bodied user-defined functions (sqlref/sql-reference-create-function.html). */
CREATE FUNCTION get_fraction(degrees DOUBLE) RETURNS DOUBLE
    CONTAINS SQL RETURN degrees - FLOOR(degrees);

CREATE FUNCTION "double_it"(x INTEGER) RETURNS INTEGER
    LANGUAGE SQL
    SPECIFIC double_it_int
    DETERMINISTIC
    CONTAINS SQL
    RETURNS NULL ON NULL INPUT
    RETURN x * 2;

CREATE OR REPLACE FUNCTION label(price DECIMAL(8, 2), name VARCHAR(16)) RETURNS VARCHAR(64)
    NOT DETERMINISTIC CALLED ON NULL INPUT
    RETURN CASE WHEN price > 100 THEN name || ' (expensive)' ELSE name END;

SELECT STREAM get_fraction(heading) AS frac FROM "SOURCE_SQL_STREAM_001";
