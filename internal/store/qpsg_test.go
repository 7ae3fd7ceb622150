package store

import (
	"context"
	"database/sql"
	"testing"

	"github.com/mattn/go-sqlite3"
)

// Every SQLite connection, the readers' and the writer's, plans its
// statements without looking at bound values, so a cached statement is not
// compiled again each time it is run with new values.
func TestQueryPlansIgnoreBoundValues(t *testing.T) {
	s := openTest(t, dialectSQLite)
	ctx := context.Background()
	for name, db := range map[string]*sql.DB{"read": s.db, "write": s.wdb} {
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		err = conn.Raw(func(dc any) error {
			c, ok := dc.(*sqlite3.SQLiteConn)
			if !ok {
				t.Fatalf("%s connection is a %T", name, dc)
			}
			if !setQPSG(c, -1) {
				t.Errorf("%s connection: the query planner stability guarantee is off", name)
			}
			return nil
		})
		conn.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
}
