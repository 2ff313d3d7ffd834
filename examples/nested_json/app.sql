-- Nested JSON mapped to columns with JSONPath: a field two levels down, the
-- first element of an array, and a whole array kept as JSON text.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    symbol     VARCHAR(4),
    price      DOUBLE,
    currency   VARCHAR(3),
    first_tag  VARCHAR(16),
    tags       VARCHAR(64))
WITH (source = 'quotes', format = 'json', start = 'trim_horizon',
      mapping.symbol = '$.trade.symbol',
      mapping.price = '$.trade.quote.price',
      mapping.currency = '$.trade.quote.currency',
      mapping.first_tag = '$.tags[0]',
      mapping.tags = '$.tags[0:]');

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    symbol    VARCHAR(4),
    price_eur DOUBLE,
    first_tag VARCHAR(16),
    tags      VARCHAR(64));

CREATE OR REPLACE PUMP "STREAM_PUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM symbol, CASE WHEN currency = 'USD' THEN price * 0.5 ELSE price END,
        first_tag, tags
    FROM "SOURCE_SQL_STREAM_001";
