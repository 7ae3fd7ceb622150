package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// workflowPermissions has a requester and two approvers.
const workflowPermissions = `
users:
  alice:
    email: alice@example.com
    password: alice-secret
  bob:
    email: bob@example.com
    password: bob-secret
  cathy:
    password: cathy-secret
groups:
  requester:
    users: [alice]
  approvers:
    users: [bob, cathy]
permissions:
  basic:
    groups: [requester, approvers]
    actions: [all]
    uri: BASIC
  start-everything:
    groups: [requester, approvers]
    actions: [read, start]
    uri: PG:ALL
  requester-edits-models:
    groups: [requester]
    actions: [read, update]
    uri: PG:ALL
  requester-operates:
    groups: [requester]
    actions: [create]
    uri: /process-instance-suspend/*
  requester-resumes:
    groups: [requester]
    actions: [create]
    uri: /process-instance-resume/*
  requester-terminates:
    groups: [requester]
    actions: [create]
    uri: /process-instance-terminate/*
  requester-retries:
    groups: [requester]
    actions: [create]
    uri: /process-instance-reset/*
`

// workflowVars points an app at a copy of testdata/models and the
// workflow permissions, with the data directory given.
func workflowVars(t *testing.T, dataDir string) map[string]string {
	t.Helper()
	perms := filepath.Join(t.TempDir(), "permissions.yml")
	if err := os.WriteFile(perms, []byte(workflowPermissions), 0o600); err != nil {
		t.Fatal(err)
	}
	models := filepath.Join(dataDir, "models")
	if _, err := os.Stat(models); os.IsNotExist(err) {
		if err := os.CopyFS(models, os.DirFS("testdata/models")); err != nil {
			t.Fatal(err)
		}
	}
	return map[string]string{
		"WAYMARK_PERMISSIONS_FILE": perms,
		"WAYMARK_DATA_DIR":         dataDir,
		"WAYMARK_MODELS_DIR":       models,
		"WAYMARK_EXAMPLES":         "false",
	}
}

// withAdmin returns permissions (a file with groups: and permissions:
// sections, as workflowPermissions) with user also in an admin group that
// may do everything.
func withAdmin(permissions, user string) string {
	out := strings.Replace(permissions, "\npermissions:\n", "\n  admin:\n    users: ["+user+"]\npermissions:\n", 1)
	return out + "  admin-everything:\n    groups: [admin]\n    actions: [all]\n    uri: /*\n"
}
