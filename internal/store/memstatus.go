package store

// SQLite counts every allocation it makes in global statistics, under a
// process-wide mutex, unless told not to before its first connection;
// the lock and unlock took about 5% of a task completion's CPU (perf).
// Nothing here reads those statistics (sqlite3_memory_used, the soft and
// hard heap limits, sqlite3_status), so the counting is turned off, at
// package initialisation, which runs before any connection is opened.

/*
extern int sqlite3_config(int, ...);
// SQLITE_CONFIG_MEMSTATUS
static int waymark_memstatus_off(void) { return sqlite3_config(9, 0); }
*/
import "C"

// memstatusOff reports whether SQLite accepted the setting (it refuses
// once initialised, and then simply goes on counting).
var memstatusOff = C.waymark_memstatus_off() == 0
