-- 0004: objects.raw is compressed with LZ4 instead of PostgreSQL's own
-- pglz. A listing sends raw for every version it serves, and decompressing
-- pglz was the largest single cost of a page on the server (about a sixth
-- of its CPU); LZ4 decompresses several times faster at about the same
-- size for STIX JSON, and compresses faster on ingest. Only values written
-- from now on use it: older rows stay pglz and read as before. A server
-- built without LZ4 (or older than PostgreSQL 14) keeps pglz, which is
-- correct, only slower.
DO $$
BEGIN
    EXECUTE 'ALTER TABLE objects ALTER COLUMN raw SET COMPRESSION lz4';
EXCEPTION WHEN feature_not_supported OR syntax_error OR invalid_parameter_value THEN
    RAISE NOTICE 'objects.raw keeps pglz compression: %', SQLERRM;
END;
$$;
