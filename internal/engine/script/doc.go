// Package script is the engine's Python: the language of script tasks,
// pre- and post-scripts, gateway and flow conditions, loop and
// multi-instance expressions, timer expressions, service-task parameters,
// message payloads, correlation expressions and DMN entries. Models written
// for SpiffWorkflow/SpiffArena run unchanged as far as they use the Python
// subset below.
//
// It imports no other project package, and never net, net/http, os/exec or
// database/sql (internal/archtest enforces this).
//
// # API
//
// Compile (statements) and CompileExpr (one expression) parse, check and
// translate a source once; the result is immutable and safe for concurrent
// use. Program.Exec runs a script with task data as its globals and returns
// the new data (ExecWith: with one more data key, without copying the map
// first); Expr.Eval and Expr.EvalBool evaluate an expression. Values
// crossing the boundary are Go JSON-like values (nil, bool, int64, float64,
// string, []any, map[string]any); host helpers may also hand in time.Time
// (a datetime) and time.Duration (a timedelta). Every error is an *Error
// with the 1-based line and column in the caller's source, a Python-like
// message and a Kind: "syntax", "runtime" or "limit".
//
// # Data semantics
//
// A script runs as Python's exec(script, task_data) does. Reading a name
// looks in, in order: names the script assigned, the task data, Env.Globals,
// Env.Funcs, the built-ins. Assignments and "del x" change only the run's
// own namespace: Exec never modifies the data map or anything reachable from
// it. A data value is converted to Starlark when the script first reads it
// (lists and dicts are copied then, so in-place changes such as
// items.append(x) are seen and returned). The result holds every key of the
// input that the script neither touched nor deleted, by reference, plus every
// name the script assigned or read as a container, converted back:
// tuples become lists, ints outside int64 become float64, datetime, date,
// time, timedelta, Decimal and set become their Python str(), and functions,
// modules, classes and exceptions are dropped (SpiffWorkflow's serializer
// drops them too). Env.Globals are visible but not returned unless the
// script assigns the name.
//
// SpiffArena's script helpers that need only the running script are
// built in (spiff_helpers.go): get_task_data_value,
// update_task_data_with_dictionary, get_current_task_data and
// extract_from_task_data read and change the namespace as the task data
// they see in SpiffArena, generate_markdown_table and get_localtime (IANA
// zones from Go's embedded database) compute. The host lends the others
// through Env.Funcs, and values that cost something to build (the task
// object, an Object read by attribute) through Env.Lookup, which is asked
// only for names found nowhere else.
//
// Like SpiffArena's script engine, the names datetime (the class), timedelta,
// time, decimal, json, re and calendar are predefined; "import" works for
// datetime, time, json, math, decimal, re, copy, string and calendar, and for
// random only when Env.RandomSeed is set.
//
// # The dialect
//
// The language is Python 3 minus classes, generators, with, async, walrus,
// match, nonlocal, decorators and starred loop targets, each refused
// at compile time with a message naming the construct. Supported:
// assignments of every form (multiple targets, unpacking with one starred
// target, augmented, annotated), del of names, items and slices, if/elif/else, for and while
// with break, continue and else, def with defaults, *args, **kwargs and
// keyword-only parameters, lambda, closures, global, recursion, try/except
// (types, tuples of types, "as e", bare except)/else/finally, raise and
// bare re-raise, assert, import/from-import, f-strings with nested fields,
// conversions and format specs, %-formatting, str.format with the full
// format-spec mini-language, chained comparisons, is/is not, in/not in,
// conditional expressions, comprehensions of every kind (generator
// expressions evaluate eagerly to lists), set literals and dict/list
// displays with * and ** unpacking. Strings index, slice, iterate and
// measure by character, as in Python.
//
// The built-ins are Python's (abs, all, any, bin, bool, callable, chr,
// dict, dir, divmod, enumerate, filter, float, format, getattr, hasattr,
// hash, hex, int, isinstance, issubclass, len, list, map, max, min, oct,
// ord, pow, print (discarded), range, repr, reversed, round (half to even),
// set, sorted, str, sum, tuple, type, zip) with their keyword arguments,
// globals(), vars() and locals() (a read-only view of the namespace, for
// checks like 'x' in vars()), the usual exception classes, and the str,
// list and dict methods Starlark
// lacks or restricts (format, zfill, center, ljust, rjust, casefold,
// swapcase, expandtabs, isdecimal, isnumeric, join and list.extend over any
// iterable, list.sort/copy/count/reverse, dict.copy, dict.fromkeys ...). Modules follow CPython's behaviour and output formats:
// datetime (datetime, date, time, timedelta, timezone; arithmetic,
// comparisons, isoformat, fromisoformat, strftime and strptime), decimal
// (the General Decimal Arithmetic of github.com/cockroachdb/apd in
// Python's default context: 28 significant digits, ROUND_HALF_EVEN,
// quantize with every rounding mode, correctly rounded sqrt, ln, exp and
// **; finite values only), json (dumps with indent, sort_keys, separators, ensure_ascii;
// loads keeping key order), math, re (Python's pattern syntax with
// lookaround, backreferences and conditionals, over regexp2; one match
// stops after a second), copy, calendar and string.
//
// Deliberate differences: datetime.now(), date.today() and time.time() read
// Env.Now only (a nil clock is a "no clock" error), and "local time" for
// naive datetimes (now(), fromtimestamp, timestamp, astimezone()) is the
// zone of the time Env.Now returns; Decimal has no Infinity or NaN, and
// compares with int and float only in sources that mention decimal (the
// translator routes their comparisons through __w_cmp; elsewhere
// comparisons stay native Starlark ones); True == 1 is False (arithmetic
// on bools works as in Python); "del x" of a function-local name sets it to None; a script may
// not use names starting with __w_ or __b_.
//
// # How it works
//
// Starlark (go.starlark.net) executes the code; a front-end makes it
// Python. Compile runs, once per source:
//
//  1. a Python tokenizer (lex.go: INDENT/DEDENT, implicit line joining,
//     every string prefix, f-strings kept raw for the parser);
//  2. a recursive-descent parser for the subset (parse.go, ast.go), which
//     reports Python's own syntax errors ("expected ':'", "unexpected
//     indent", "'return' outside function" ...) at exact positions;
//  3. a translator (translate.go) that emits Starlark source and a position
//     map from every generated fragment back to the Python line and column;
//  4. go.starlark.net compiles that source (FileOptions: TopLevelControl,
//     While, Set, GlobalReassign, Recursion) against the shared predeclared
//     built-ins, and runs its top level once to obtain a frozen function.
//
// The whole script becomes the body of that function, def __w_main(__w_ns),
// and every Python global becomes an index into __w_ns, a Go value with the
// lookup rules above: x = x + 1 is __w_ns["x"] = __w_add(__w_ns["x"], 1).
// This is what gives the exec() semantics Starlark lacks: a global can be
// read and assigned in one script, an unbound name raises NameError, del
// removes a name, and code in nested Starlark functions can still assign
// globals. That last property carries try/except: the try body, each
// handler, else and finally become nested functions run by the __w_try
// built-in, which catches the error, matches it against the handler's
// exception classes and runs the handler. break, continue and return inside
// those bodies become return codes that the code after __w_try acts on.
// Locals of a Python function that a try statement assigns live in a
// per-call box (__w_lvN) for the same reason; other locals stay Starlark
// locals. Python scoping (function locals, closures, global declarations,
// comprehension variables) is resolved by the translator, which also routes
// the operations whose Python meaning differs from Starlark's through small
// built-ins: ** (__w_pow), + and * on non-literals (__w_add, __w_mul, which
// also bound sizes), += and *= (__w_iadd, __w_imul: a list grows in place,
// sizes bounded before anything is built; adding a number constant stays
// native), % on strings (__w_mod), non-literal indexing and slicing
// (character semantics), iteration (strings iterate), patched methods
// (__w_getattr), f-strings (__w_fstr) and the results of list and dict
// comprehensions (__w_built, for the allocation budget).
//
// Built-in names are bound directly (__b_len) when no data key, global or
// host function shadows them; a second translation in which every global
// goes through the namespace is made on first need for runs whose data does
// shadow one (a form field called "type"), so Python's lookup order holds
// either way.
//
// Exec does no parsing or resolving: it takes a pooled run state (thread,
// namespace), calls the frozen function with the namespace and converts
// only the names the script touched. A small script costs well under a
// microsecond and a handful of allocations.
//
// # Sandbox
//
// A script has no file, network, process or environment access: there is
// no such built-in or module (open, eval, exec, compile, __import__, input,
// os, sys, subprocess, socket ... fail with messages saying why),
// Starlark's load statement does not exist in the dialect, attributes
// named like __class__ are refused at compile time and by getattr, and host
// capabilities arrive only through Env.Funcs. Limits end a run with Kind
// "limit", and a script cannot catch them:
//
//   - Env.MaxSteps (default 10 million steps: Starlark's interpreter steps,
//     plus one step per 256 bytes or 64 items of every value a built-in
//     returns, so a few costly calls count like the work they do);
//   - Env.Timeout (default 5 s of wall-clock time, armed with time.AfterFunc
//     and thread cancellation once a run passes its first 16,384 steps, so
//     short runs pay nothing for it);
//   - Env.MaxBytes (default 64 MiB): the total a run may build, charged
//     as it builds: the characters of every string and bytes value, 16
//     bytes per list or tuple item and 48-64 per dict or set entry that
//     repetition, concatenation, formatting, f-strings, type calls
//     (list(), str() ...), the patched and the value-building Starlark
//     methods (join, replace, split, items ...), json, re and host helpers
//     return (json.loads and copy.deepcopy for every nested value). Repetition and concatenation are charged before they
//     allocate. A value the run already holds and gets back (an item, the
//     argument itself) is not charged again. Comprehensions are charged
//     for the list, dict or set they build (__w_built, __w_set); growth one
//     item per step (append, item assignment) is bounded by the step limit
//     instead. The charge is cumulative, not live: s += c in a loop pays for every
//     intermediate string, as its allocations do; "".join builds once. A
//     run that built 16 MiB or more hands its memory back to the operating
//     system when it ends (debug.FreeOSMemory in the background, at most
//     about once a second);
//   - recursion deeper than 2,000 frames (def and lambda);
//   - strings and lists beyond 16 MiB/16 Mi items built by +, *, +=, *=,
//     formatting, list(), json.dumps or re.sub, integers beyond 65,536 bits
//     from ** or *, format widths beyond the same bound.
//
// The wall-clock limit reads the machine clock; that is the only place the
// package does, and it never reaches script-visible values.
package script
