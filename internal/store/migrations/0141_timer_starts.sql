-- Timer start events of the repository's models, scheduled by the server.
-- Rows follow the models (added, rescheduled when the timer changes,
-- removed with the model). Starting an instance for next_due moves
-- next_due on in the same transaction, and only from the value it read, so
-- one due time starts one instance however many ticks or processes see it.
CREATE TABLE timer_starts (
    model_id   TEXT NOT NULL,
    process_id TEXT NOT NULL,
    element_id TEXT NOT NULL,
    -- definition is the timer as it was scheduled (type and expression).
    definition TEXT NOT NULL,
    -- next_due (dueLayout) is '' once the timer will not fire again.
    next_due   TEXT NOT NULL,
    -- remaining fires of a cycle, -1 unbounded; period_ms its interval.
    remaining  INTEGER NOT NULL,
    period_ms  BIGINT NOT NULL,
    PRIMARY KEY (model_id, process_id, element_id)
);

CREATE INDEX timer_starts_due ON timer_starts (next_due);
