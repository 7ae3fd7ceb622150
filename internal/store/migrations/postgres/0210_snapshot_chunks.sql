-- Large instance snapshots are stored in chunks, so that a step rewrites
-- only the parts of the snapshot it changed, not the whole history.
--
-- The snapshot is cut where its content says (content-defined chunking,
-- see snapshot_chunks.go): an edit moves the cuts only near itself, so
-- the chunks before and after it keep their bytes. Each chunk is stored
-- once per instance under a number; instances.snapshot_chunks lists the
-- numbers the snapshot is made of, in order, as ranges ("1-380,402,381").
-- A step inserts the chunks that are new and deletes those no longer
-- listed, in the transaction that updates the instance row, whose version
-- check keeps two steps apart.
--
-- Small snapshots stay whole in instances.snapshot with snapshot_chunks
-- empty, as do snapshots written before this migration until their
-- instance's next step.
ALTER TABLE instances ADD COLUMN snapshot_chunks TEXT NOT NULL DEFAULT '';

CREATE TABLE instance_snapshot_chunks (
    instance_id BIGINT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    n           BIGINT NOT NULL,
    -- The first 16 bytes of the SHA-256 of data, in hex: a step finds the
    -- chunks it already has by their content.
    hash        TEXT NOT NULL,
    data        BYTEA NOT NULL,
    PRIMARY KEY (instance_id, n)
);
