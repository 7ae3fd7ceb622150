// Package engine runs BPMN process instances with SpiffWorkflow's semantics.
//
// It owns the running side of the engine: task instances and their states,
// stepping, data copies, events in and out, and snapshots. The parsed diagram
// (package spec) is immutable and shared; an Instance holds only what changes.
//
// # Execution model
//
// An instance is a flat list of task instances (tokens), each bound to one
// flow node and one scope instance: the process itself, or the inside of a
// running subprocess, call activity or event subprocess (identified by the id
// of the task that owns it). Tasks move through SpiffWorkflow's observable
// states: WAITING (catch events, boundary events, joins waiting for
// branches), READY (may run; human tasks wait here for a person), STARTED
// (subprocesses, loops and multi-instance wrappers while their children run,
// compensation throws while their handlers run, and service tasks handed
// to the host), COMPLETED, ERROR and CANCELLED.
// SpiffWorkflow's predicted MAYBE/LIKELY/FUTURE tasks are not kept; Next
// lists what can come after a waiting task instead.
//
// Run executes READY engine tasks in FIFO order until only the outside world
// can move the instance on: a person (Complete), a service result
// (CompleteStarted, FailStarted), a message or signal (Deliver), or the clock
// (AdvanceTo).
//
// # Messages
//
// A thrown message is routed by its name and correlation values, as
// SpiffWorkflow routes it: the first waiting catcher in this instance with
// that name and agreeing correlation properties receives it; when none
// does, it leaves as an Effect for the host to deliver to another
// instance. Message flows in a collaboration are not used for
// routing: they document who talks to whom, the parser checks that their
// ends exist and lie in different pools, and spec.Collaboration keeps them
// for tools. A model whose message flows and message names disagree
// therefore runs by the names.
//
// # Compensation
//
// Each scope records the completions of its activities that compensation
// can undo (those with a compensation handler, and subprocesses and call
// activities with such work inside); a compensation throw runs their
// handlers one at a time, newest first, and takes each record once.
// Nothing is recorded for the other activities. See behaviour_compensation.go.
//
// # Data
//
// Every task has its own data map, as in SpiffWorkflow, but maps are never
// changed once a task holds them: a script, a form submission or a merge
// makes a new map and leaves the old one to the tasks that still refer to it.
// So passing data along a flow costs one pointer, and a snapshot stores each
// distinct map once. Joins deep-merge the arriving branches in arrival order;
// subprocesses and call activities hand back the merged data of their end
// events; multi-instance and loops copy in and out as SpiffWorkflow does.
//
// # Scripts and the host
//
// Every script, pre- and post-script and expression sees the task it runs
// in as task (task.task_spec.lane, task.data ...), and calls the host's
// helpers: Env.Funcs, or Env.Helpers, which get the instance, the task and
// Env.Host of each call (script_host.go). Both are lent only to scripts
// that name them; a helper that needs the database reads it in the host.
//
// # Determinism
//
// Nothing here reads the wall clock, starts a goroutine or uses a global
// random source: the host injects a Clock, and task ids are sequence numbers.
// The same library, inputs and clock readings give the same trace.
//
// Imports: engine/spec and engine/script only (internal/archtest enforces it).
package engine
