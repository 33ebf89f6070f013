-- Each recorded exchange carries an id its node gave it, so a batch written again (its first write's answer was
-- lost with the connection, though the database had committed it) adds nothing: INSERT ... ON CONFLICT (id) DO
-- NOTHING. Rows written before this have none (NULLs never conflict).
ALTER TABLE exchanges ADD COLUMN id VARCHAR(64);
CREATE UNIQUE INDEX exchanges_id ON exchanges (id);
