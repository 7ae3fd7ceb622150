-- The numbers create_unique_kkv_top_level_key hands out, per key-key-value
-- store: each is given once, committed when it is given, so a step that
-- fails afterwards never makes another step receive the same key.
CREATE TABLE kkv_key_sequences (
    location   TEXT NOT NULL,
    identifier TEXT NOT NULL,
    last       BIGINT NOT NULL,
    PRIMARY KEY (location, identifier)
);
