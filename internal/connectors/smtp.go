package connectors

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/wneessen/go-mail"
)

// SMTPOptions is the mail server the smtp/SendEmail operator sends
// through (WAYMARK_SMTP_*). With no Host, a model must name the server in
// its smtp_host parameter, as SpiffArena's SMTP connector asks, and that
// server is held to the same public-address rule as the HTTP operators.
type SMTPOptions struct {
	Host     string
	Port     int // 0: 587 for starttls, 465 for tls, 25 for none
	Username string
	Password string
	// From is the sender when a call gives no email_from.
	From string
	// Security is "starttls" (the default: upgrade with STARTTLS, refuse a
	// server that cannot), "tls" (TLS from the first byte, port 465) or
	// "none" (plain text, for a relay on the same host or network).
	Security string
	// TLSConfig verifies the server; nil uses the system's roots.
	TLSConfig *tls.Config
	Timeout   time.Duration
}

// smtpOperators is smtp/SendEmail, with the parameters of SpiffArena's
// SMTP connector (email_to, email_from, email_subject, email_body,
// smtp_host, smtp_port, smtp_user, smtp_password) and more: cc and bcc, an
// HTML body beside the text one, attachments from task data, and the
// security of a model-named server.
func smtpOperators() []builtinOp {
	params := []Param{
		{ID: "email_to", Type: "any", Required: true},
		{ID: "email_subject", Type: "str", Required: true},
		{ID: "email_body", Type: "str"},
		{ID: "email_body_html", Type: "str"},
		{ID: "email_cc", Type: "any"},
		{ID: "email_bcc", Type: "any"},
		{ID: "email_from", Type: "str"},
		{ID: "email_reply_to", Type: "str"},
		{ID: "attachments", Type: "any"},
		{ID: "smtp_host", Type: "str"},
		{ID: "smtp_port", Type: "int"},
		{ID: "smtp_user", Type: "str"},
		{ID: "smtp_password", Type: "str"},
		{ID: "smtp_starttls", Type: "bool"},
	}
	return []builtinOp{{
		cmd: Command{ID: "smtp/SendEmail", Parameters: params, Builtin: true},
		run: func(ctx context.Context, r *Registry, call Call) (Result, error) {
			return r.sendEmail(ctx, call)
		},
	}}
}

// addresses reads a recipient parameter: one address, a comma-separated
// list, or a list of addresses.
func addresses(v any) []string {
	var parts []string
	switch x := v.(type) {
	case nil:
	case []any:
		for _, e := range x {
			parts = append(parts, strings.Split(str(e), ",")...)
		}
	default:
		parts = strings.Split(str(v), ",")
	}
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func smtpError(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func (r *Registry) sendEmail(ctx context.Context, call Call) (Result, error) {
	p := call.Params
	m := mail.NewMsg()
	from := str(p["email_from"])
	if from == "" {
		from = r.opts.SMTP.From
	}
	if from == "" {
		return Result{}, smtpError("MissingParameter", "smtp/SendEmail needs email_from, or a sender in WAYMARK_SMTP_FROM")
	}
	if err := m.From(from); err != nil {
		return Result{}, smtpError("InvalidAddress", "email_from %q: %v", from, err)
	}
	for _, f := range []struct {
		param string
		set   func(...string) error
	}{{"email_to", m.To}, {"email_cc", m.Cc}, {"email_bcc", m.Bcc}} {
		if list := addresses(p[f.param]); len(list) > 0 {
			if err := f.set(list...); err != nil {
				return Result{}, smtpError("InvalidAddress", "%s %q: %v", f.param, strings.Join(list, ", "), err)
			}
		}
	}
	if len(addresses(p["email_to"])) == 0 {
		return Result{}, smtpError("MissingParameter", "smtp/SendEmail needs at least one address in email_to")
	}
	if rt := str(p["email_reply_to"]); rt != "" {
		if err := m.ReplyTo(rt); err != nil {
			return Result{}, smtpError("InvalidAddress", "email_reply_to %q: %v", rt, err)
		}
	}
	m.Subject(str(p["email_subject"]))
	text, html := str(p["email_body"]), str(p["email_body_html"])
	switch {
	case text != "" && html != "":
		m.SetBodyString(mail.TypeTextPlain, text)
		m.AddAlternativeString(mail.TypeTextHTML, html)
	case html != "":
		m.SetBodyString(mail.TypeTextHTML, html)
	default:
		m.SetBodyString(mail.TypeTextPlain, text)
	}
	if err := r.attach(m, call); err != nil {
		return Result{}, err
	}
	m.SetMessageID()

	client, err := r.smtpClient(p)
	if err != nil {
		return Result{}, err
	}
	if err := client.DialAndSendWithContext(ctx, m); err != nil {
		var ae *AddressError
		if errors.As(err, &ae) {
			return Result{}, smtpError("AddressRefused", "smtp_host: %v", ae)
		}
		return Result{}, smtpError("SMTPError", "send mail: %v", err)
	}
	return Result{Body: map[string]any{"message_id": m.GetMessageID()}, MimeType: "application/json", HTTPStatus: 200}, nil
}

// smtpClient connects to the configured server, or to the one the model
// names when none is configured.
func (r *Registry) smtpClient(p map[string]any) (*mail.Client, error) {
	o := r.opts.SMTP
	guarded := false
	if o.Host == "" {
		if str(p["smtp_host"]) == "" {
			return nil, smtpError("MissingParameter", "no mail server: set WAYMARK_SMTP_HOST, or give smtp_host")
		}
		o = SMTPOptions{Host: str(p["smtp_host"]), Username: str(p["smtp_user"]), Password: str(p["smtp_password"]), Security: "starttls", TLSConfig: o.TLSConfig, Timeout: o.Timeout}
		if n, err := strconv.Atoi(str(p["smtp_port"])); err == nil {
			o.Port = n
		}
		if b, ok := p["smtp_starttls"].(bool); ok && !b {
			o.Security = "none"
		}
		guarded = true
	}
	opts := []mail.Option{mail.WithTimeout(orDuration(o.Timeout, 30*time.Second))}
	switch o.Security {
	case "", "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory), mail.WithPort(orInt(o.Port, 587)))
	case "tls":
		opts = append(opts, mail.WithSSL(), mail.WithPort(orInt(o.Port, 465)))
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS), mail.WithPort(orInt(o.Port, 25)))
	default:
		return nil, smtpError("InvalidParameter", "mail security %q: want starttls, tls or none", o.Security)
	}
	if o.TLSConfig != nil {
		cfg := o.TLSConfig.Clone()
		cfg.ServerName = o.Host
		opts = append(opts, mail.WithTLSConfig(cfg))
	}
	if o.Username != "" {
		// Over TLS the strongest mechanism the server offers; without
		// TLS, PLAIN, which go-mail only sends to a server on this host
		// (credentials never cross a network in clear text).
		auth := mail.SMTPAuthAutoDiscover
		if o.Security == "none" {
			auth = mail.SMTPAuthPlain
		}
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(o.Username), mail.WithPassword(o.Password))
	}
	if guarded {
		d := &net.Dialer{Timeout: 30 * time.Second, Control: guardControl(r.opts.Allow)}
		opts = append(opts, mail.WithDialContextFunc(d.DialContext))
	}
	c, err := mail.NewClient(o.Host, opts...)
	if err != nil {
		return nil, smtpError("InvalidParameter", "mail server %s: %v", o.Host, err)
	}
	return c, nil
}

func orDuration(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

func orInt(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}

// attach adds the attachments parameter: file references from task data
// (SpiffArena's data URLs, "data:<type>;name=<file>;base64,<bytes>", or
// the digest form of a file stored with the instance), one or a list.
func (r *Registry) attach(m *mail.Msg, call Call) error {
	var refs []any
	switch x := call.Params["attachments"].(type) {
	case nil:
		return nil
	case []any:
		refs = x
	default:
		refs = []any{x}
	}
	for i, ref := range refs {
		s, ok := ref.(string)
		if !ok {
			return smtpError("InvalidParameter", "attachments[%d] is not a file reference", i)
		}
		ct, name, data, err := r.fileData(s, call)
		if err != nil {
			return smtpError("InvalidParameter", "attachments[%d]: %v", i, err)
		}
		if err := m.AttachReader(name, bytes.NewReader(data), mail.WithFileContentType(mail.ContentType(ct))); err != nil {
			return smtpError("InvalidParameter", "attachments[%d] %s: %v", i, name, err)
		}
	}
	return nil
}

// digestPrefix marks a data URL that carries a stored file's digest
// instead of its bytes (the forms package writes them).
const digestPrefix = "spifffiledatadigest+"

func (r *Registry) fileData(ref string, call Call) (contentType, name string, data []byte, err error) {
	rest, ok := strings.CutPrefix(ref, "data:")
	meta, payload, ok2 := strings.Cut(rest, ",")
	if !ok || !ok2 {
		return "", "", nil, errors.New("want a data URL (data:<type>;name=<file>;base64,...)")
	}
	parts := strings.Split(meta, ";")
	contentType, name = parts[0], "attachment"
	b64 := false
	for _, part := range parts[1:] {
		if v, ok := strings.CutPrefix(part, "name="); ok {
			name = v
		}
		if part == "base64" {
			b64 = true
		}
	}
	if _, _, err := mime.ParseMediaType(contentType); err != nil || contentType == "" {
		contentType = "application/octet-stream"
	}
	if digest, ok := strings.CutPrefix(payload, digestPrefix); ok {
		if call.File == nil {
			return "", "", nil, fmt.Errorf("file %s is stored with the instance, and this call has no access to stored files", name)
		}
		data, err = call.File(digest)
		if err != nil {
			return "", "", nil, fmt.Errorf("file %s: %w", name, err)
		}
		return contentType, name, data, nil
	}
	if !b64 {
		return "", "", nil, errors.New("only base64 data URLs are supported")
	}
	data, err = base64.StdEncoding.DecodeString(payload)
	if err != nil {
		return "", "", nil, fmt.Errorf("file %s: %w", name, err)
	}
	return contentType, name, data, nil
}
