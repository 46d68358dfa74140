-- Throughput (issue 8): no query reads the Russian full-text index on messages, yet every new message paid for it
-- (the text's tsvector computed by the Snowball stemmer and inserted into a GIN index), and again whenever an
-- update touched an indexed column (dedupe's author and incident). A search feature brings the index its
-- queries need (and the EXPLAIN that shows it is used).
DROP INDEX IF EXISTS messages_fts_idx;
