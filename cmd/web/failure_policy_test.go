package main

import (
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// inbox is a real SMTP server (emersion/go-smtp) on loopback keeping the
// mail it receives.
type inboxServer struct {
	mu   sync.Mutex
	mail []string // "to|data"
}

type inboxSession struct {
	s  *inboxServer
	to []string
}

func (s *inboxServer) NewSession(*smtp.Conn) (smtp.Session, error) { return &inboxSession{s: s}, nil }
func (x *inboxSession) Mail(string, *smtp.MailOptions) error       { return nil }
func (x *inboxSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}
func (x *inboxSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	x.s.mail = append(x.s.mail, strings.Join(x.to, ",")+"|"+string(b))
	x.s.mu.Unlock()
	return nil
}
func (x *inboxSession) Reset()        { x.to = nil }
func (x *inboxSession) Logout() error { return nil }

func (s *inboxServer) received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.mail...)
}

// A model that suspends failed instances and names people to tell: its
// failed instance is suspended (not in error), the people get a mail with
// the element, the message and a link to the instance, and resuming it
// puts it in error, where it can be retried.
func TestFailedInstanceSuspendsAndNotifies(t *testing.T) {
	mailbox := &inboxServer{}
	srv := smtp.NewServer(mailbox)
	srv.Domain = "localhost"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()

	vars := workflowVars(t, t.TempDir())
	vars["WAYMARK_SMTP_HOST"] = "127.0.0.1"
	vars["WAYMARK_SMTP_PORT"] = strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	vars["WAYMARK_SMTP_SECURITY"] = "none"
	vars["WAYMARK_SMTP_FROM"] = "waymark@example.com"
	vars["WAYMARK_BASE_URL"] = "http://waymark.example.com"
	// The checks model fails in its script after the manual task; it now
	// asks to be suspended and to tell two people.
	meta := filepath.Join(vars["WAYMARK_MODELS_DIR"], "purchases", "checks", "process_model.json")
	if err := os.WriteFile(meta, []byte(`{"display_name": "Stock checks", "description": "", "display_order": 1,
		"primary_file_name": "checks.bpmn", "primary_process_id": "checks",
		"fault_or_suspend_on_exception": "suspend", "exception_notification_addresses": ["ops@example.com", "lead@example.com"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	ta := startApp(t, vars)
	alice := browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")
	loc := startInstance(t, ta, alice, "purchases:checks")
	_, page := get(t, alice, ta.url+loc)
	if resp, _ := postForm(t, alice, ta.url+loc+"/complete", url.Values{"csrf_token": {csrfToken(t, page)}}, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("complete the manual task: %d", resp.StatusCode)
	}
	_, doc := get(t, alice, ta.url+"/instances/1")
	if got := text(doc, "#instance-status"); got != "suspended" {
		t.Fatalf("status %q, want suspended", got)
	}
	if msg := text(doc, "#instance-error pre"); !strings.Contains(msg, "count") {
		t.Errorf("the suspended instance does not show its error: %q", msg)
	}

	deadline := time.Now().Add(30 * time.Second)
	for len(mailbox.received()) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	got := mailbox.received()
	if len(got) != 1 {
		t.Fatalf("%d mails, want 1", len(got))
	}
	to, raw, _ := strings.Cut(got[0], "|")
	// The text is quoted-printable: decode it to read it as people do.
	head, qp, _ := strings.Cut(raw, "\r\n\r\n")
	decoded, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(qp)))
	if err != nil {
		t.Fatal(err)
	}
	// Long header lines are folded: unfold them.
	head = strings.ReplaceAll(head, "\r\n ", " ")
	body := head + "\n\n" + string(decoded)
	if to != "ops@example.com,lead@example.com" {
		t.Errorf("mail to %q", to)
	}
	for _, want := range []string{"Subject: Waymark: instance 1 of purchases/checks failed and was suspended", "compute", "http://waymark.example.com/instances/1", "resume it"} {
		if !strings.Contains(body, want) {
			t.Errorf("the mail lacks %q:\n%s", want, body)
		}
	}

	// Resuming puts it in error, once; nobody is told again.
	_, doc = get(t, alice, ta.url+"/instances/1")
	if resp, _ := postForm(t, alice, ta.url+"/instances/1/resume", url.Values{"csrf_token": {csrfToken(t, doc)}}, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("resume: %d", resp.StatusCode)
	}
	_, doc = get(t, alice, ta.url+"/instances/1")
	if got := text(doc, "#instance-status"); got != "error" {
		t.Errorf("after resuming, status %q, want error (retry is then possible)", got)
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(mailbox.received()); n != 1 {
		t.Errorf("%d mails after resuming, want still 1", n)
	}
}
