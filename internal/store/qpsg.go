package store

// SQLite re-plans a statement whenever a new value is bound to a parameter
// whose value the planner looked at: a constant it propagated through a
// join or an ORDER BY (`WHERE m.user_id = ? … ORDER BY g.name`), the
// pattern of a LIKE. Each such statement was compiled again on every use,
// which took about 6% of a task completion's CPU (the task, group and
// sign-in group reads). The query planner stability guarantee
// (SQLITE_DBCONFIG_ENABLE_QPSG) makes plans independent of bound values,
// so cached statements are used as they are. The driver does not offer
// sqlite3_db_config, so the connection's handle is taken from its
// (unexported) field; should a driver version rename it, connections
// simply go without the setting, and TestQueryPlansIgnoreBoundValues says
// so.

/*
extern int sqlite3_db_config(void*, int op, ...);
// SQLITE_DBCONFIG_ENABLE_QPSG
static int waymark_qpsg(void *db, int on) {
	int now = -1;
	if (sqlite3_db_config(db, 1007, on, &now) != 0) return -1;
	return now;
}
*/
import "C"

import (
	"reflect"
	"unsafe"

	"github.com/mattn/go-sqlite3"
)

// sqliteHandle returns the connection's sqlite3 handle, or nil.
func sqliteHandle(c *sqlite3.SQLiteConn) unsafe.Pointer {
	f := reflect.ValueOf(c).Elem().FieldByName("db")
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() {
		return nil
	}
	return f.UnsafePointer()
}

// setQPSG turns the query planner stability guarantee on (on=1) or only
// reads it (on=-1); it returns whether it is on.
func setQPSG(c *sqlite3.SQLiteConn, on int) bool {
	db := sqliteHandle(c)
	if db == nil {
		return false
	}
	return C.waymark_qpsg(db, C.int(on)) == 1
}
