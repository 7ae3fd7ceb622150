package connectors

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// mailbox is a real SMTP server (emersion/go-smtp) on loopback that keeps
// what it receives.
type mailbox struct {
	user, password string
	mu             sync.Mutex
	got            []received
	addr           string
	port           int
}

type received struct {
	from   string
	to     []string
	data   []byte
	tls    bool
	authed bool
}

type mailSession struct {
	box  *mailbox
	conn *smtp.Conn
	cur  received
}

func (b *mailbox) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &mailSession{box: b, conn: c}, nil
}

func (s *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *mailSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != s.box.user || password != s.box.password {
			return errors.New("invalid credentials")
		}
		s.cur.authed = true
		return nil
	}), nil
}

func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.box.user != "" && !s.cur.authed {
		return &smtp.SMTPError{Code: 530, Message: "authentication required"}
	}
	s.cur.from = from
	return nil
}

func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *mailSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, s.cur.tls = s.conn.TLSConnectionState()
	s.cur.data = data
	s.box.mu.Lock()
	s.box.got = append(s.box.got, s.cur)
	s.box.mu.Unlock()
	return nil
}

func (s *mailSession) Reset()        { s.cur = received{authed: s.cur.authed} }
func (s *mailSession) Logout() error { return nil }

func startMailbox(t *testing.T, user, password string, tlsConfig *tls.Config) *mailbox {
	t.Helper()
	box := &mailbox{user: user, password: password}
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = tlsConfig == nil
	srv.TLSConfig = tlsConfig
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	box.addr = l.Addr().String()
	box.port = l.Addr().(*net.TCPAddr).Port
	return box
}

func (b *mailbox) messages() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.got...)
}

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// parts reads a MIME message into its leaf parts (content type -> body),
// and the attachments by file name.
func parts(t *testing.T, raw []byte) (*mail.Message, map[string]string, map[string][]byte) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	bodies, files := map[string]string{}, map[string][]byte{}
	var walk func(header map[string][]string, body io.Reader)
	walk = func(h map[string][]string, body io.Reader) {
		get := func(k string) string {
			if v := h[k]; len(v) > 0 {
				return v[0]
			}
			return ""
		}
		ct, params, err := mime.ParseMediaType(get("Content-Type"))
		if err != nil {
			t.Fatalf("content type %q: %v", get("Content-Type"), err)
		}
		if strings.HasPrefix(ct, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				walk(p.Header, p)
			}
		}
		data, _ := io.ReadAll(body)
		if strings.EqualFold(get("Content-Transfer-Encoding"), "base64") {
			data, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(data)), ""))
			if err != nil {
				t.Fatal(err)
			}
		}
		if _, dp, err := mime.ParseMediaType(get("Content-Disposition")); err == nil && dp["filename"] != "" {
			files[dp["filename"]] = data
			return
		}
		bodies[ct] = string(data)
	}
	walk(msg.Header, msg.Body)
	return msg, bodies, files
}

func TestSendEmail(t *testing.T) {
	ctx := context.Background()
	pdf := []byte("%PDF-1.4 invoice 42")
	stored := []byte("stored receipt")
	files := map[string][]byte{"abc123": stored}
	fileByDigest := func(d string) ([]byte, error) {
		if b, ok := files[d]; ok {
			return b, nil
		}
		return nil, errors.New("no such file")
	}

	t.Run("through the configured server: cc, bcc, HTML and attachments", func(t *testing.T) {
		box := startMailbox(t, "mailer", "s3cret", nil)
		r := New(Options{SMTP: SMTPOptions{Host: "127.0.0.1", Port: box.port, Username: "mailer", Password: "s3cret", From: "waymark@example.com", Security: "none"}})
		res, err := r.Do(ctx, Call{Operator: "smtp/SendEmail", File: fileByDigest, Params: map[string]any{
			"email_to": "ann@example.com, bob@example.com", "email_cc": []any{"carol@example.com"}, "email_bcc": "audit@example.com",
			"email_subject": "Invoice 42 approved", "email_body": "Approved.", "email_body_html": "<p><b>Approved.</b></p>",
			"attachments": []any{
				"data:application/pdf;name=invoice.pdf;base64," + base64.StdEncoding.EncodeToString(pdf),
				"data:text/plain;name=receipt.txt;base64," + digestPrefix + "abc123",
			},
		}})
		if err != nil {
			t.Fatal(err)
		}
		got := box.messages()
		if len(got) != 1 {
			t.Fatalf("%d messages received", len(got))
		}
		m := got[0]
		if !m.authed || m.from != "waymark@example.com" {
			t.Errorf("authed %v, envelope from %q", m.authed, m.from)
		}
		wantRcpt := []string{"ann@example.com", "audit@example.com", "bob@example.com", "carol@example.com"}
		slices.Sort(m.to)
		if !slices.Equal(m.to, wantRcpt) {
			t.Errorf("recipients %v, want %v", m.to, wantRcpt)
		}
		msg, bodies, att := parts(t, m.data)
		if msg.Header.Get("Bcc") != "" {
			t.Error("the Bcc header was sent")
		}
		if msg.Header.Get("Subject") != "Invoice 42 approved" || !strings.Contains(msg.Header.Get("Cc"), "carol@example.com") {
			t.Errorf("headers %v", msg.Header)
		}
		if strings.TrimSpace(bodies["text/plain"]) != "Approved." || !strings.Contains(bodies["text/html"], "<b>Approved.</b>") {
			t.Errorf("bodies %q", bodies)
		}
		if !bytes.Equal(att["invoice.pdf"], pdf) || !bytes.Equal(att["receipt.txt"], stored) {
			t.Errorf("attachments %q", att)
		}
		if id, _ := res.Body.(map[string]any)["message_id"].(string); id == "" || !strings.Contains(msg.Header.Get("Message-Id"), id) {
			t.Errorf("message id %q, header %q", id, msg.Header.Get("Message-Id"))
		}
	})

	t.Run("STARTTLS is required and verified", func(t *testing.T) {
		cert, pool := selfSigned(t)
		box := startMailbox(t, "mailer", "s3cret", &tls.Config{Certificates: []tls.Certificate{cert}})
		r := New(Options{SMTP: SMTPOptions{Host: "127.0.0.1", Port: box.port, Username: "mailer", Password: "s3cret", From: "waymark@example.com", TLSConfig: &tls.Config{RootCAs: pool}}})
		if _, err := r.Do(ctx, Call{Operator: "smtp/SendEmail", Params: map[string]any{"email_to": "ann@example.com", "email_subject": "s", "email_body": "b"}}); err != nil {
			t.Fatal(err)
		}
		if got := box.messages(); len(got) != 1 || !got[0].tls {
			t.Fatalf("messages %+v: want one, sent over TLS", got)
		}
		// A server whose certificate the client does not trust gets nothing.
		untrusted := New(Options{SMTP: SMTPOptions{Host: "127.0.0.1", Port: box.port, From: "waymark@example.com"}})
		_, err := untrusted.Do(ctx, Call{Operator: "smtp/SendEmail", Params: map[string]any{"email_to": "ann@example.com", "email_subject": "s", "email_body": "b"}})
		var ce *Error
		if !errors.As(err, &ce) || ce.Code != "SMTPError" {
			t.Fatalf("untrusted certificate: %v", err)
		}
		if n := len(box.messages()); n != 1 {
			t.Errorf("%d messages after the refused one", n)
		}
	})

	t.Run("wrong password is an SMTP error", func(t *testing.T) {
		box := startMailbox(t, "mailer", "s3cret", nil)
		r := New(Options{SMTP: SMTPOptions{Host: "127.0.0.1", Port: box.port, Username: "mailer", Password: "nope", From: "w@example.com", Security: "none"}})
		_, err := r.Do(ctx, Call{Operator: "smtp/SendEmail", Params: map[string]any{"email_to": "ann@example.com", "email_subject": "s"}})
		var ce *Error
		if !errors.As(err, &ce) || ce.Code != "SMTPError" || !strings.Contains(ce.Message, "invalid credentials") || len(box.messages()) != 0 {
			t.Fatalf("got %v and %d messages, want the server's refusal of the credentials", err, len(box.messages()))
		}
	})

	t.Run("a server named by the model is held to public addresses", func(t *testing.T) {
		box := startMailbox(t, "", "", nil)
		params := map[string]any{"email_to": "ann@example.com", "email_from": "w@example.com", "email_subject": "s",
			"smtp_host": "127.0.0.1", "smtp_port": int64(box.port), "smtp_starttls": false}
		_, err := New(Options{}).Do(ctx, Call{Operator: "smtp/SendEmail", Params: params})
		var ce *Error
		if !errors.As(err, &ce) || ce.Code != "AddressRefused" {
			t.Fatalf("got %v, want AddressRefused", err)
		}
		allowed := New(Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
		if _, err := allowed.Do(ctx, Call{Operator: "smtp/SendEmail", Params: params}); err != nil {
			t.Fatalf("allowed server: %v", err)
		}
		if n := len(box.messages()); n != 1 {
			t.Errorf("%d messages", n)
		}
	})

	t.Run("bad parameters are named", func(t *testing.T) {
		r := New(Options{SMTP: SMTPOptions{Host: "127.0.0.1", Port: 1, From: "w@example.com", Security: "none"}})
		for _, tc := range []struct {
			params map[string]any
			want   string
		}{
			{map[string]any{"email_to": "not an address", "email_subject": "s"}, "email_to"},
			{map[string]any{"email_to": "a@example.com", "email_subject": "s", "attachments": "data:text/plain;name=x.txt;base64," + digestPrefix + "zzz"}, "attachments[0]"},
			{map[string]any{"email_to": "a@example.com", "email_subject": "s", "attachments": "https://example.com/x"}, "attachments[0]"},
		} {
			_, err := r.Do(ctx, Call{Operator: "smtp/SendEmail", Params: tc.params, File: fileByDigest})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v: got %v, want an error naming %s", tc.params, err, tc.want)
			}
		}
	})
}
