// Package runner owns the life of process instances: it starts them from a
// model, moves them on (task completion, timers, service results, retry,
// suspend, resume, terminate) and persists every step in one store
// transaction.
//
// # One transaction per step
//
// A step restores the instance from its engine snapshot, applies one
// outside event, lets the engine run until it waits, and writes in a single
// store.InTx: the new snapshot, and the rows derived from it that other
// readers need without the engine — human tasks with their potential
// owners (the inbox), waiting timers (the scheduler), message and signal
// subscriptions, service calls owed (the workers), the metadata values the
// instance list shows, and the append-only event log of task state changes
// with who and when.
//
// # Optimistic concurrency
//
// Every instance row carries a version. A step reads it, works outside any
// transaction, and writes only if the version is unchanged (bumping it).
// Two people completing one task at the same moment therefore give one
// success and one error wrapping store.ErrConflict; the task is never
// completed twice.
//
// # Lanes
//
// A task in a lane is offered to the group named like the lane. A
// lane_owners dict in the task data ({lane: ["alice", "group:finance"]})
// replaces that with named users and groups. A task outside any lane, or in
// a lane named like "process initiator", goes to the user who started the
// instance. Only potential owners see or complete a task; a refused attempt
// is logged and recorded in the event log.
//
// # Background work
//
// scheduler.go polls for due timers; workers.go performs service-task
// calls through internal/connectors outside any transaction and completes
// or fails the task in a new step.
//
// The model repository is reached through SpecSource, which cmd/web wires
// to internal/models, so runner never imports models, web or auth.
// Imports: engine, engine/spec, store, connectors (internal/archtest).
package runner
