// Package dmn owns DMN decision tables: it parses .dmn files (DMN 1.1, 1.2
// and 1.3 namespaces) into immutable [Decision] values whose every
// expression is compiled once, and evaluates them against task data with
// SpiffWorkflow's semantics, so that SpiffArena decision tables run
// unchanged.
//
// # What a file may contain
//
// Each decision with a decisionTable or a literalExpression becomes a
// [Decision], looked up by its id (a business rule task names it in
// spiffworkflow:calledDecisionId).
// A decision may require other decisions of the same file
// (informationRequirement/requiredDecision href="#id"): they are evaluated
// first, in dependency order, and their outputs are task data for it (see
// [Decision.Evaluate]); a requirement on another file, a missing decision
// or a cycle is a problem. A decision whose logic is a literalExpression
// gives the value of that expression (the same Python dialect) under its
// variable's name, else its name, else its id. Boxed contexts, invocations,
// relations, lists and function definitions are not supported and are
// reported as problems rather than ignored. Parsing
// refuses any DOCTYPE or other directive before the tree is built, so no
// entity is ever expanded. Every problem is a [Problem] carrying the file,
// the element id and the line, so an editor can mark the element.
//
// # Expressions
//
// The expression language is the Python dialect of package script, not
// FEEL. An input column's value comes from its inputExpression (or, lacking
// one, from the task data key named by the column's label) and is evaluated
// at most once per evaluation. An input entry is one of:
//
//   - empty or "-": matches anything;
//   - text with "?" outside string quotes: "?" stands for the input value
//     and the whole entry must be truthy ("100 <= ? <= 110", `"x" in ?`);
//   - a complete expression: matches when (input) == (entry) (`"gold"`,
//     `[1, 2]`, `other_var`);
//   - otherwise the tail of a comparison appended to the input value
//     (`> 5`, `in ["a", "b"]`, `not in (1, 2)`, `!= "x"`);
//   - or one of DMN 1.3's FEEL unary tests: intervals ("[1..10]",
//     "]1..10["), lists of tests ("1, 2", `"a", "b"`, "< 5, > 10"),
//     negation ("not(1, 2)"), null and "= x" (see unary.go).
//
// FEEL's temporal literals date("2024-03-01"), date and time("…T…"),
// time("10:30:00") and duration("P2DT3H") may stand wherever a value does,
// in input and output entries; an input compared with one is read as that
// kind when it is ISO text, as forms store dates (see temporal.go).
//
// Output entries are expressions; an empty one yields "". The output key is
// the output's name, else its label; dotted keys ("a.b") build nested maps.
//
// # Hit policies
//
// UNIQUE (the default) and FIRST return the first matching rule and stop;
// UNIQUE does not check that only one rule matches, as in SpiffWorkflow, so
// SpiffArena tables whose last row catches everything run unchanged. The
// "test this table" panel ([Decision.Try] checks every rule) warns when a
// UNIQUE table's rules overlap for the inputs tried.
// ANY checks every rule and returns the first match when all matches give
// the same outputs, and fails naming the two rules otherwise. PRIORITY and
// OUTPUT ORDER rank the matches by the outputs' outputValues (a value
// earlier in the list first; output by output in column order): PRIORITY
// returns the highest, OUTPUT ORDER the lists of all matches in that order.
// Without outputValues both return the first match, as SpiffWorkflow does.
// COLLECT and RULE ORDER return, for each top-level output key, the list
// of values of all matching rules in rule order. COLLECT with an
// aggregation (SUM, COUNT, MIN, MAX) returns one aggregated value per
// output. No match yields no outputs, so task data stays unchanged. See
// [Decision.Evaluate] for where this departs from SpiffWorkflow.
//
// # Imports
//
// Among project packages dmn imports only internal/engine/script. It must
// not import the engine runtime, spec, bpmn, or anything outside
// internal/engine (store, runner, models, web): it is a leaf below spec,
// usable by `web check` and the models package without a running engine.
package dmn
