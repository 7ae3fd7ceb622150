package main

import (
	"context"
	"encoding/json"

	"github.com/waymark-bpm/waymark/internal/engine/scenario"
)

// runCmd runs one conformance scenario and prints its result as JSON
// (the expected.json shape of ../shared/conformance/FORMAT.md).
func runCmd(_ context.Context, e env, args []string) error {
	fs := newFlagSet(e, "run")
	path := fs.String("scenario", "", "path of a scenario.json to run")
	roundTrip := fs.Bool("snapshots", false, "snapshot and restore the instance before every step")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *path == "" {
		return usageErrorf("-scenario PATH is required")
	}
	res, err := scenario.Run(*path, scenario.Options{RoundTrip: *roundTrip})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}
