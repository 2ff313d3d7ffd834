-- Flattening a JSON array into rows, as the KDA JSONPath reference does with
-- its customer/orders record: '$.orders[0:].itemName' reads each element of
-- the orders array into its own row, and the columns outside the array
-- (customer, city) repeat on every row. An empty array gives one row with
-- NULL order columns; a record whose element fails coercion goes to
-- error_stream whole. orders_json takes the array whole as text.
CREATE OR REPLACE STREAM "SOURCE_SQL_STREAM_001" (
    customer    VARCHAR(20),
    city        VARCHAR(20),
    order_id    INTEGER,
    item        VARCHAR(20),
    item_price  DECIMAL(8,2))
WITH (source = 'orders', format = 'json', start = 'trim_horizon',
      mapping.customer = '$.customerName', mapping.city = '$.address.city',
      mapping.order_id = '$.orders[0:].orderId', mapping.item = '$.orders[0:].itemName',
      mapping.item_price = '$.orders[0:].itemPrice');

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    customer VARCHAR(20), city VARCHAR(20), order_id INTEGER, item VARCHAR(20), item_price DECIMAL(8,2));
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM customer, city, order_id, item, item_price FROM "SOURCE_SQL_STREAM_001";
