-- SpiffArena's data stores at run time. A JSON or key-key-value store is
-- defined by a process group (process_group.json data_store_specifications)
-- and known here by that group's id (location) and the store's identifier;
-- a store nothing was written to yet holds {} (JSON) or no entries (kkv).
-- Typeahead entries are global, by category, as SpiffArena keeps them;
-- writing a category replaces all of its entries. Values are JSON text.
CREATE TABLE json_data_stores (
    location   TEXT NOT NULL,
    identifier TEXT NOT NULL,
    data       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (location, identifier)
);

CREATE TABLE kkv_data_store_entries (
    location      TEXT NOT NULL,
    identifier    TEXT NOT NULL,
    top_level_key TEXT NOT NULL,
    secondary_key TEXT NOT NULL,
    value         TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (location, identifier, top_level_key, secondary_key)
);

CREATE TABLE typeahead_entries (
    id          INTEGER PRIMARY KEY,
    category    TEXT NOT NULL,
    search_term TEXT NOT NULL,
    result      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE INDEX typeahead_entries_term ON typeahead_entries (category, search_term);
