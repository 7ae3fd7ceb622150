-- Where a signal in the outbox has already been delivered (an instance it
-- reached, or a process it started), each recorded in the transaction of
-- the step it caused: a restart while a signal is being delivered goes on
-- with the receivers it had not reached, and reaches none of them twice.
-- The rows go when the signal leaves the outbox.
CREATE TABLE signal_deliveries (
    outbox_id BIGINT NOT NULL,
    target    TEXT NOT NULL,
    PRIMARY KEY (outbox_id, target)
);
