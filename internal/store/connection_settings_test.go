package store

import (
	"context"
	"database/sql"
	"testing"
)

// The writer's connection maps the database file and keeps its savepoint
// journals in memory; the readers' do neither: each of them would drop and
// rebuild its mapping after every commit (store.go, mmapSize), and their
// sorts may be large.
func TestWriterAndReaderConnections(t *testing.T) {
	s := openTest(t, dialectSQLite)
	ctx := context.Background()
	for _, c := range []struct {
		name  string
		db    *sql.DB
		conns int // held at once, so each is a connection of its own
		want  int64
		temp  int64 // temp_store: 0 default (files), 2 memory
	}{{"read", s.db, 3, 0, 0}, {"write", s.wdb, 1, mmapSize, 2}} {
		var held []*sql.Conn
		for i := range c.conns {
			conn, err := c.db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			held = append(held, conn)
			var got int64
			if err := conn.QueryRowContext(ctx, `PRAGMA mmap_size`).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("%s connection %d: mmap_size %d, want %d", c.name, i, got, c.want)
			}
			if err := conn.QueryRowContext(ctx, `PRAGMA temp_store`).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != c.temp {
				t.Errorf("%s connection %d: temp_store %d, want %d", c.name, i, got, c.temp)
			}
		}
		for _, conn := range held {
			conn.Close()
		}
	}
}

// SQLite took the setting that turns its allocation statistics off, so it
// was not initialised before the store package.
func TestSQLiteMemoryStatisticsOff(t *testing.T) {
	if !memstatusOff {
		t.Fatal("sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) was refused: SQLite was initialised before the store package")
	}
	// And connections still work with it.
	s := openTest(t, dialectSQLite)
	if _, err := s.AuthVersion(context.Background()); err != nil {
		t.Fatal(err)
	}
}
