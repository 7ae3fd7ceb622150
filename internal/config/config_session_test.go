package config

import (
	"strings"
	"testing"
	"time"
)

func TestSessionAndSignInSettings(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.SessionIdle != 8*time.Hour || c.SessionMax != 168*time.Hour {
		t.Errorf("session defaults idle %s max %s", c.SessionIdle, c.SessionMax)
	}
	if c.SignInDelayAfter != 3 || c.SignInLockAfter != 10 || c.SignInIPLockAfter != 50 || c.SignInLockFor != 15*time.Minute {
		t.Errorf("sign-in defaults %d %d %d %s", c.SignInDelayAfter, c.SignInLockAfter, c.SignInIPLockAfter, c.SignInLockFor)
	}
	c, err = FromEnv(env(map[string]string{"WAYMARK_SESSION_IDLE": "30m", "WAYMARK_SESSION_MAX": "12h",
		"WAYMARK_SIGNIN_LOCK_AFTER": "5", "WAYMARK_SIGNIN_LOCK_FOR": "1h"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.SessionIdle != 30*time.Minute || c.SessionMax != 12*time.Hour || c.SignInLockAfter != 5 || c.SignInLockFor != time.Hour {
		t.Errorf("read %s %s %d %s", c.SessionIdle, c.SessionMax, c.SignInLockAfter, c.SignInLockFor)
	}

	for _, tt := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"idle not a duration", map[string]string{"WAYMARK_SESSION_IDLE": "forever"}, "WAYMARK_SESSION_IDLE"},
		{"idle too short", map[string]string{"WAYMARK_SESSION_IDLE": "5s"}, "WAYMARK_SESSION_IDLE"},
		{"max below idle", map[string]string{"WAYMARK_SESSION_IDLE": "2h", "WAYMARK_SESSION_MAX": "1h"}, "WAYMARK_SESSION_MAX"},
		{"lock after zero", map[string]string{"WAYMARK_SIGNIN_LOCK_AFTER": "0"}, "WAYMARK_SIGNIN_LOCK_AFTER"},
		{"delay after not a number", map[string]string{"WAYMARK_SIGNIN_DELAY_AFTER": "three"}, "WAYMARK_SIGNIN_DELAY_AFTER"},
		{"ip lock after negative", map[string]string{"WAYMARK_SIGNIN_IP_LOCK_AFTER": "-1"}, "WAYMARK_SIGNIN_IP_LOCK_AFTER"},
		{"lock for", map[string]string{"WAYMARK_SIGNIN_LOCK_FOR": "10ms"}, "WAYMARK_SIGNIN_LOCK_FOR"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromEnv(env(tt.env))
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), tt.want+":") {
				t.Errorf("error %q does not start with %s:", err, tt.want)
			}
		})
	}
}
