-- The bookkeeper's corrections in FlexyBox after validation rejected the sample week's customers
-- (see Samples/drops/invalid/customers-rules.errors for the same mistakes). Applied by Scripts/demo
-- to show the whole pipeline once the data is right.
BEGIN;
UPDATE customers SET postal_code = '5220', modified_at = '2026-11-29T08:00:00+01:00' WHERE customer_number = 'K-1017';
UPDATE customers SET email = 'lars@mikkelsen.dk', modified_at = '2026-11-29T08:00:00+01:00' WHERE customer_number = 'K-1018';
UPDATE customers SET vat_number = '12345678', modified_at = '2026-11-29T08:00:00+01:00' WHERE customer_number = 'K-1019';
UPDATE customers SET country = 'DK', modified_at = '2026-11-29T08:00:00+01:00' WHERE customer_number = 'K-1020';
UPDATE customers SET address_line1 = 'Vestergade 70', city = 'Odense C', modified_at = '2026-11-29T08:00:00+01:00' WHERE customer_number = 'K-1021';
COMMIT;
