-- row_path locates each record inside the JSON document: column mappings
-- are relative to it ($.sym reads $.trade.sym, the default mapping of qty
-- reads $.trade.qty), while a mapping that starts with the row path is taken
-- as written ($.trade.price). A record without the row path gives NULLs.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    sym   VARCHAR(8),
    price DOUBLE,
    qty   INTEGER)
WITH (source = 'trades', format = 'json', start = 'trim_horizon',
      row_path = '$.trade', mapping.sym = '$.sym', mapping.price = '$.trade.price');

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (sym VARCHAR(8), price DOUBLE, qty INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM sym, price, qty FROM "SOURCE_SQL_STREAM_001";
