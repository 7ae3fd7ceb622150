package engine

import "fmt"

// migrations[v] brings a decoded snapshot of version v to version v+1: one
// function per version bump, each changing only what its bump changed.
// decodeSnapshot reads the keys of every version; the migrations fix their
// meaning.
var migrations = [SnapshotVersion]func(*snapshot) error{
	1: migrateV1,
	2: migrateV2,
}

// migrate brings a decoded snapshot to SnapshotVersion.
func migrate(s *snapshot) error {
	if s.Version < 1 || s.Version > SnapshotVersion {
		return fmt.Errorf("version %d is not supported (this engine reads versions 1 to %d)", s.Version, SnapshotVersion)
	}
	for ; s.Version < SnapshotVersion; s.Version++ {
		if err := migrations[s.Version](s); err != nil {
			return fmt.Errorf("migrate version %d: %w", s.Version, err)
		}
	}
	return nil
}

// migrateV1: version 1 stored task times as Unix microseconds, with an
// absent "created" or "updated" meaning the zero time. Version 2 counts
// them from the instance's start and leaves "updated" out when it equals
// "created". A zero time becomes minus the start, which reads back as 0,
// the zero time.
func migrateV1(s *snapshot) error {
	base := micros(s.Started)
	for i := range s.Tasks {
		t := &s.Tasks[i]
		t.Created -= base
		t.Updated -= base
		t.HasUpdated = true
	}
	return nil
}

// migrateV2: version 3 may store a data map as its difference from an
// earlier one; the decoder has already rebuilt such maps, and version 2
// never wrote them, so nothing else changed.
func migrateV2(s *snapshot) error { return nil }
