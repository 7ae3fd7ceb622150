package config

import (
	"strings"
	"testing"
)

// TestInstanceCacheMB: the instance cache bound defaults to 256 MiB, takes
// 0 to keep none, and names the variable on bad input.
func TestInstanceCacheMB(t *testing.T) {
	for value, want := range map[string]int{"": 256, "0": 0, "1024": 1024} {
		vars := map[string]string{}
		if value != "" {
			vars["WAYMARK_INSTANCE_CACHE_MB"] = value
		}
		c, err := FromEnv(env(vars))
		if err != nil {
			t.Fatal(err)
		}
		if c.InstanceCacheMB != want {
			t.Errorf("WAYMARK_INSTANCE_CACHE_MB=%q: %d, want %d", value, c.InstanceCacheMB, want)
		}
	}
	for _, bad := range []string{"-1", "lots", "65537"} {
		_, err := FromEnv(env(map[string]string{"WAYMARK_INSTANCE_CACHE_MB": bad}))
		if err == nil || !strings.HasPrefix(err.Error(), "WAYMARK_INSTANCE_CACHE_MB:") {
			t.Errorf("WAYMARK_INSTANCE_CACHE_MB=%q: error %v, want one naming the variable", bad, err)
		}
	}
}
