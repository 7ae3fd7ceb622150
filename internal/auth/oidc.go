package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gorilla/securecookie"
	"golang.org/x/oauth2"
)

// SignInError is a refused sign-in through a provider. Reason says what
// was wrong in words a person can act on; Err, when set, is the detail for
// the log.
type SignInError struct {
	Provider string
	Reason   string
	// Unavailable is set when the provider could not be reached, as
	// opposed to an answer that was refused.
	Unavailable bool
	Err         error
}

func (e *SignInError) Error() string {
	msg := "sign-in with " + e.Provider + ": " + e.Reason
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *SignInError) Unwrap() error { return e.Err }

// ErrUnknownProvider is returned for a provider id that is not configured.
var ErrUnknownProvider = errors.New("no such sign-in provider")

// pendingCookie holds a started sign-in until the provider sends the
// browser back, so the server keeps nothing per sign-in. It is encrypted:
// the PKCE verifier must reach the token endpoint only from Waymark, and
// state and nonce must not be forgeable.
const (
	pendingCookie = "waymark_oidc"
	pendingMaxAge = 10 * time.Minute
)

// pending is a sign-in started in this browser.
type pending struct {
	Provider string `json:"p"`
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Next     string `json:"x"`
}

// OIDCOptions configure sign-in through OpenID Connect providers.
type OIDCOptions struct {
	Providers []ProviderConfig
	// Secret is the session secret; the keys of the pending-sign-in cookie
	// are derived from it.
	Secret string
	// CookiePath is the path Waymark is served under ("/" or "/waymark").
	CookiePath string
	// Secure marks the cookie https-only.
	Secure bool
}

// OIDC signs people in through OpenID Connect providers with the
// authorization-code flow, PKCE (S256), state and nonce.
type OIDC struct {
	dir        *Directory
	providers  []*provider
	byID       map[string]*provider
	cookies    *securecookie.SecureCookie
	cookiePath string
	secure     bool
	// client talks to the providers.
	client *http.Client
}

// provider is one configured provider; its discovery document is read on
// first use and kept, so Waymark starts while a provider is down.
type provider struct {
	cfg ProviderConfig

	mu         sync.Mutex
	op         *oidc.Provider
	endSession string
}

// ProviderInfo is what the sign-in page shows of a provider.
type ProviderInfo struct {
	ID   string
	Name string
}

// NewOIDC returns the sign-in service for the providers, which must have
// passed CheckProviders.
func NewOIDC(dir *Directory, o OIDCOptions) *OIDC {
	hashKey := sha256.Sum256([]byte("waymark oidc signing\x00" + o.Secret))
	blockKey := sha256.Sum256([]byte("waymark oidc encryption\x00" + o.Secret))
	sc := securecookie.New(hashKey[:], blockKey[:])
	sc.MaxAge(int(pendingMaxAge / time.Second))
	sc.SetSerializer(securecookie.JSONEncoder{})
	path := strings.TrimRight(o.CookiePath, "/")
	x := &OIDC{dir: dir, byID: map[string]*provider{}, cookies: sc, cookiePath: path + "/sign-in/oidc/",
		secure: o.Secure, client: &http.Client{Timeout: 15 * time.Second}}
	for _, cfg := range o.Providers {
		p := &provider{cfg: cfg}
		x.providers = append(x.providers, p)
		x.byID[cfg.ID] = p
	}
	return x
}

// Providers lists the configured providers in configuration order.
func (x *OIDC) Providers() []ProviderInfo {
	out := make([]ProviderInfo, len(x.providers))
	for i, p := range x.providers {
		out[i] = ProviderInfo{ID: p.cfg.ID, Name: p.cfg.Name}
	}
	return out
}

// discover reads the provider's discovery document once.
func (x *OIDC) discover(ctx context.Context, p *provider) (*oidc.Provider, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.op != nil {
		return p.op, nil
	}
	ctx, cancel := context.WithTimeout(oidc.ClientContext(ctx, x.client), 15*time.Second)
	defer cancel()
	op, err := oidc.NewProvider(ctx, p.cfg.Issuer)
	if err != nil {
		return nil, &SignInError{Provider: p.cfg.Name, Reason: "the provider could not be reached", Unavailable: true, Err: err}
	}
	var extra struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := op.Claims(&extra); err != nil {
		return nil, &SignInError{Provider: p.cfg.Name, Reason: "the provider's discovery document was not understood", Unavailable: true, Err: err}
	}
	p.op, p.endSession = op, extra.EndSession
	return op, nil
}

func (x *OIDC) provider(id string) (*provider, error) {
	p, ok := x.byID[id]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownProvider, id)
	}
	return p, nil
}

func (x *OIDC) oauthConfig(p *provider, op *oidc.Provider, redirectURL string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     p.cfg.ClientID,
		ClientSecret: p.cfg.ClientSecret,
		Endpoint:     op.Endpoint(),
		RedirectURL:  redirectURL,
		Scopes:       append([]string{oidc.ScopeOpenID}, p.cfg.Scopes...),
	}
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Begin starts a sign-in with the provider: it remembers state, nonce and
// PKCE verifier in a short-lived encrypted cookie scoped to the callback
// path and returns the provider's authorization URL to send the browser
// to. redirectURL is the callback URL registered at the provider; next is
// the local path to return to afterwards.
func (x *OIDC) Begin(w http.ResponseWriter, r *http.Request, providerID, redirectURL, next string) (string, error) {
	p, err := x.provider(providerID)
	if err != nil {
		return "", err
	}
	op, err := x.discover(r.Context(), p)
	if err != nil {
		return "", err
	}
	pd := pending{Provider: p.cfg.ID, State: randomToken(), Nonce: randomToken(), Verifier: oauth2.GenerateVerifier(), Next: next}
	value, err := x.cookies.Encode(pendingCookie, pd)
	if err != nil {
		return "", fmt.Errorf("encode sign-in cookie: %w", err)
	}
	http.SetCookie(w, &http.Cookie{Name: pendingCookie, Value: value, Path: x.cookiePath,
		MaxAge: int(pendingMaxAge / time.Second), HttpOnly: true, Secure: x.secure, SameSite: http.SameSiteLaxMode})
	return x.oauthConfig(p, op, redirectURL).AuthCodeURL(pd.State, oidc.Nonce(pd.Nonce), oauth2.S256ChallengeOption(pd.Verifier)), nil
}

// SignIn is a completed sign-in through a provider.
type SignIn struct {
	User User
	// Next is the local path the sign-in was started from.
	Next string
	// IDToken is the raw ID token, the hint for signing out at the
	// provider.
	IDToken string
}

// Finish completes a sign-in when the provider sends the browser back to
// redirectURL: the state must match the one Begin stored in this browser,
// the code is exchanged with the PKCE verifier, and the ID token must be
// signed by the provider, issued for this client, unexpired and carry the
// nonce. The user is then found or created (see Directory.SignInExternal).
// The pending cookie is removed whatever the outcome, so a response is
// used once.
func (x *OIDC) Finish(w http.ResponseWriter, r *http.Request, providerID, redirectURL string) (SignIn, error) {
	p, err := x.provider(providerID)
	if err != nil {
		return SignIn{}, err
	}
	fail := func(reason string, err error) (SignIn, error) {
		return SignIn{}, &SignInError{Provider: p.cfg.Name, Reason: reason, Err: err}
	}
	http.SetCookie(w, &http.Cookie{Name: pendingCookie, Value: "", Path: x.cookiePath, MaxAge: -1,
		HttpOnly: true, Secure: x.secure, SameSite: http.SameSiteLaxMode})

	var pd pending
	c, err := r.Cookie(pendingCookie)
	if err != nil {
		return fail("no sign-in was started in this browser, or it took longer than 10 minutes; start again", nil)
	}
	if err := x.cookies.Decode(pendingCookie, c.Value, &pd); err != nil {
		return fail("the sign-in started in this browser has expired or was altered; start again", err)
	}
	q := r.URL.Query()
	if pd.Provider != p.cfg.ID {
		return fail("the answer came from another provider than the sign-in was started with", nil)
	}
	if got := q.Get("state"); got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(pd.State)) != 1 {
		return fail("the answer does not belong to the sign-in started in this browser (state mismatch)", nil)
	}
	if e := q.Get("error"); e != "" {
		// The answer comes through the browser, so it is shown only
		// shortened (and escaped by the page).
		reason := "the provider refused: " + truncate(e, 60)
		if d := q.Get("error_description"); d != "" {
			reason += " (" + truncate(d, 200) + ")"
		}
		return fail(reason, nil)
	}
	code := q.Get("code")
	if code == "" {
		return fail("the answer has no authorization code", nil)
	}
	op, err := x.discover(r.Context(), p)
	if err != nil {
		return SignIn{}, err
	}
	ctx, cancel := context.WithTimeout(oidc.ClientContext(r.Context(), x.client), 15*time.Second)
	defer cancel()
	tok, err := x.oauthConfig(p, op, redirectURL).Exchange(ctx, code, oauth2.VerifierOption(pd.Verifier))
	if err != nil {
		return fail("the provider did not accept the authorization code", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return fail("the provider sent no ID token", nil)
	}
	idt, err := op.Verifier(&oidc.Config{ClientID: p.cfg.ClientID}).Verify(ctx, raw)
	if err != nil {
		var expired *oidc.TokenExpiredError
		switch {
		case errors.As(err, &expired):
			return fail("the ID token has expired", err)
		case strings.Contains(err.Error(), "expected audience"):
			return fail("the ID token was issued for another application (audience)", err)
		default:
			return fail("the ID token was refused", err)
		}
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(pd.Nonce)) != 1 {
		return fail("the ID token does not carry the nonce of this sign-in", nil)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return fail("the ID token's claims were not understood", err)
	}
	ext, err := externalUser(p.cfg, idt.Issuer, idt.Subject, claims)
	if err != nil {
		return fail(err.Error(), nil)
	}
	u, err := x.dir.SignInExternal(r.Context(), ext)
	if err != nil {
		var taken *UsernameTakenError
		if errors.As(err, &taken) {
			return fail(taken.Error(), nil)
		}
		return SignIn{}, err
	}
	return SignIn{User: u, Next: pd.Next, IDToken: raw}, nil
}

// EndSessionURL returns where to send the browser to sign out at the
// provider as well (RP-initiated logout), or "" when the provider has no
// end_session_endpoint. idToken is sent as the hint when given; the
// provider returns the browser to postLogoutURL, which must be registered
// there.
func (x *OIDC) EndSessionURL(ctx context.Context, providerID, idToken, postLogoutURL string) (string, error) {
	p, err := x.provider(providerID)
	if err != nil {
		return "", err
	}
	if _, err := x.discover(ctx, p); err != nil {
		return "", err
	}
	if p.endSession == "" {
		return "", nil
	}
	// The page links to it, so only a web address will do.
	u, err := url.Parse(p.endSession)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", &SignInError{Provider: p.cfg.Name, Reason: fmt.Sprintf("the provider's end_session_endpoint %q is not an http or https URL", p.endSession), Err: err}
	}
	q := u.Query()
	if idToken != "" {
		q.Set("id_token_hint", idToken)
	}
	q.Set("client_id", p.cfg.ClientID)
	q.Set("post_logout_redirect_uri", postLogoutURL)
	u.RawQuery = q.Encode()
	return u.String(), nil
}
