package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/waymark-bpm/waymark/internal/pgtest"
	"github.com/waymark-bpm/waymark/internal/store"
)

// TestKillOneProcessMidLoad runs clients against two processes on one
// PostgreSQL database, one of them the real binary in a child process, and
// kills that one with SIGKILL while the clients start instances and
// complete tasks. Every completion either process acknowledged is stored;
// the other process goes on serving.
func TestKillOneProcessMidLoad(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "web")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the server: %v\n%s", err, out)
	}

	shared := t.TempDir()
	vars := workflowVars(t, shared)
	vars["WAYMARK_DATABASE_URL"] = pgtest.NewDatabase(t)
	vars["WAYMARK_SESSION_KEY"] = strings.Repeat("shared-session-key-", 3)
	vars["WAYMARK_DATA_DIR"] = t.TempDir()
	survivor := startApp(t, vars)

	// The child process: the same settings, its own data directory and a
	// free port.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	childAddr := l.Addr().String()
	l.Close()
	child := exec.Command(bin, "serve")
	child.Env = append(os.Environ(), "WAYMARK_ADDR="+childAddr, "WAYMARK_LOG_LEVEL=warn")
	for k, v := range vars {
		if k != "WAYMARK_DATA_DIR" {
			child.Env = append(child.Env, k+"="+v)
		}
	}
	child.Env = append(child.Env, "WAYMARK_DATA_DIR="+t.TempDir())
	childLog := &syncBuffer{}
	child.Stdout, child.Stderr = childLog, childLog
	child.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { child.Wait(); close(exited) }()
	t.Cleanup(func() {
		child.Process.Kill()
		<-exited
	})
	childURL := "http://" + childAddr
	waitFor(t, "the child process answers /healthz", func() bool {
		select {
		case <-exited:
			t.Fatalf("the child process exited at start:\n%s", childLog.String())
		default:
		}
		resp, err := http.Get(childURL + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})

	// Each client signs in once (the session works on both processes) and
	// then, alternating between them, starts an instance and completes its
	// first task through the JSON API, recording what was acknowledged.
	type ack struct {
		instance string
		server   string
	}
	var (
		mu         sync.Mutex
		acked      []ack
		afterKill  int
		killed     bool
		stopClient = make(chan struct{})
		wg         sync.WaitGroup
	)
	servers := []string{childURL, survivor.url}
	const clients = 6
	for c := range clients {
		alice := browser(t)
		signIn(t, alice, survivor.url, "alice", "alice-secret")
		_, inbox := get(t, alice, survivor.url+"/inbox")
		token := csrfToken(t, inbox)
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A connection the client's pool dialed but never used would
			// hold the server's shutdown for five seconds.
			defer alice.CloseIdleConnections()
			for i := 0; ; i++ {
				select {
				case <-stopClient:
					return
				default:
				}
				base := servers[(c+i)%len(servers)]
				loc, err := startOverHTTP(alice, base, token)
				if err != nil {
					continue // the process is gone: nothing was acknowledged
				}
				instance := strings.Split(strings.TrimPrefix(loc, "/tasks/"), "/")[0]
				req, _ := http.NewRequest(http.MethodPost, base+"/api/tasks/"+instance+"/2", strings.NewReader(`{"item": "Desk", "amount": 300}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-CSRF-Token", token)
				resp, err := alice.Do(req)
				if err != nil {
					continue
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					continue
				}
				mu.Lock()
				acked = append(acked, ack{instance, base})
				if killed {
					afterKill++
				}
				mu.Unlock()
			}
		}()
	}

	ackedCount := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(acked)
	}
	waitFor(t, "completions acknowledged before the kill", func() bool { return ackedCount() >= 20 })
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-exited
	mu.Lock()
	killed = true
	mu.Unlock()
	waitFor(t, "the other process acknowledges completions after the kill", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return afterKill >= 20
	})
	close(stopClient)
	wg.Wait()

	ctx := context.Background()
	st := survivor.app.store
	fromChild := 0
	for _, a := range acked {
		if a.server == childURL {
			fromChild++
		}
		var id int64
		fmt.Sscan(a.instance, &id)
		ht, err := st.HumanTask(ctx, id, 2)
		if err != nil {
			t.Fatal(err)
		}
		if ht.State != store.TaskCompleted {
			t.Errorf("instance %s: the acknowledged completion (by %s) is not stored; the task is %s", a.instance, a.server, ht.State)
		}
	}
	if fromChild == 0 {
		t.Error("the killed process acknowledged nothing before it died; the test proved nothing")
	}
	t.Logf("%d completions acknowledged, %d by the killed process, %d after the kill", len(acked), fromChild, afterKill)
}

// startOverHTTP starts the approval model with a form post and returns
// where it sent the starter.
func startOverHTTP(c *http.Client, base, token string) (string, error) {
	resp, err := c.PostForm(base+"/process-models/purchases:approval/start", url.Values{"csrf_token": {token}})
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return "", fmt.Errorf("start: %d", resp.StatusCode)
	}
	return resp.Header.Get("Location"), nil
}
