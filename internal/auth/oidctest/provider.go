// Package oidctest runs a real OpenID provider on the loopback interface for
// tests: the OpenID-certified provider of github.com/zitadel/oidc (pkg/op),
// with in-memory users, clients and sessions and a plain login page.
//
// Everything a relying party sees (discovery, the authorization endpoint,
// PKCE checks, the token endpoint, signed ID tokens, keys, end_session) is
// the library's; this package supplies only storage and the login page, and
// lets a test make the provider misbehave the ways real ones can: ID tokens
// that are already expired, or issued for another audience.
//
// The provider remembers a signed-in browser with its own cookie, as real
// providers do, so a second sign-in skips the login page until the session
// ends at the end_session endpoint.
//
// It is for tests only and is imported by no production package.
package oidctest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// User is an account at the provider.
type User struct {
	Subject  string
	Username string
	Password string
	Email    string
	Name     string
	// EmailUnverified makes email_verified false.
	EmailUnverified bool
	// Groups go into the "groups" claim.
	Groups []string
}

// Client is a relying party registered at the provider.
type Client struct {
	ID     string
	Secret string
	// RedirectURIs and PostLogoutRedirectURIs must match exactly.
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	// IDTokenLifetime defaults to five minutes; a negative value issues
	// tokens that have already expired.
	IDTokenLifetime time.Duration
	// SubstituteAudience, when set, makes the token endpoint answer this
	// client with an ID token the provider issued to that other client
	// for the same user, as a token-substitution attack would deliver it.
	SubstituteAudience string
	// ReplayIDToken makes the token endpoint answer every sign-in after
	// the first with the first sign-in's ID token, as an attacker
	// replaying a captured token would.
	ReplayIDToken bool
}

// Provider is a running OpenID provider.
type Provider struct {
	// Issuer is the provider's issuer URL (http://127.0.0.1:port).
	Issuer string

	op  *op.Provider
	key *rsa.PrivateKey
	srv *http.Server

	mu         sync.Mutex
	users      map[string]User // by subject
	clients    map[string]Client
	requests   map[string]*authRequest
	codes      map[string]string // code → request id
	sessions   map[string]string // browser session id → subject
	signedOut  []string          // subjects whose sessions ended at end_session
	firstToken map[string]string // client id → first ID token, for ReplayIDToken
	codeIssued int
}

const sessionCookie = "oidctest_session"

// Start runs a provider on 127.0.0.1 until the test ends.
func Start(t testing.TB) *Provider {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &Provider{
		Issuer:     "http://" + ln.Addr().String(),
		key:        key,
		users:      map[string]User{},
		clients:    map[string]Client{},
		requests:   map[string]*authRequest{},
		codes:      map[string]string{},
		sessions:   map[string]string{},
		firstToken: map[string]string{},
	}
	cfg := &op.Config{CodeMethodS256: true, AuthMethodPost: true, SupportedScopes: []string{"openid", "profile", "email", "groups"}}
	if _, err := rand.Read(cfg.CryptoKey[:]); err != nil {
		t.Fatal(err)
	}
	p.op, err = op.NewOpenIDProvider(p.Issuer, cfg, &storage{p}, op.WithAllowInsecure())
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", p.loginPage)
	mux.HandleFunc("POST /login", p.login)
	mux.HandleFunc("POST /oauth/token", p.token)
	mux.Handle("/", p.op)
	p.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go p.srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		p.srv.Shutdown(ctx)
	})
	return p
}

// AddUser adds or replaces an account.
func (p *Provider) AddUser(u User) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.users[u.Subject] = u
}

// AddClient registers or replaces a client.
func (p *Provider) AddClient(c Client) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clients[c.ID] = c
}

// SignedOut lists the subjects whose sessions ended at end_session, in
// order.
func (p *Provider) SignedOut() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.signedOut)
}

// CodesIssued counts the authorization codes the provider handed out.
func (p *Provider) CodesIssued() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.codeIssued
}

func randomID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

var loginTemplate = template.Must(template.New("login").Parse(`<!DOCTYPE html>
<html><head><title>Test provider sign-in</title></head><body>
<h1>Sign in to the test provider</h1>
{{if .Error}}<p id="op-error">{{.Error}}</p>{{end}}
<form id="op-login" method="post" action="/login">
<input type="hidden" name="id" value="{{.ID}}">
<label>Username <input id="op-username" name="username" autocomplete="off"></label>
<label>Password <input id="op-password" name="password" type="password"></label>
<button id="op-submit" type="submit">Sign in</button>
</form></body></html>`))

// loginPage shows the login form, or completes the request at once when
// the browser has a session here.
func (p *Provider) loginPage(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	if c, err := r.Cookie(sessionCookie); err == nil {
		p.mu.Lock()
		subject, ok := p.sessions[c.Value]
		p.mu.Unlock()
		if ok && p.complete(id, subject) == nil {
			http.Redirect(w, r, op.AuthCallbackURL(p.op)(r.Context(), id), http.StatusFound)
			return
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	loginTemplate.Execute(w, map[string]string{"ID": id})
}

// login checks the password and completes the authorization request.
func (p *Provider) login(w http.ResponseWriter, r *http.Request) {
	id, username, password := r.PostFormValue("id"), r.PostFormValue("username"), r.PostFormValue("password")
	p.mu.Lock()
	var subject string
	for _, u := range p.users {
		if u.Username == username && subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) == 1 {
			subject = u.Subject
		}
	}
	p.mu.Unlock()
	if subject == "" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		loginTemplate.Execute(w, map[string]string{"ID": id, "Error": "Wrong username or password."})
		return
	}
	if err := p.complete(id, subject); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	sid := randomID()
	p.mu.Lock()
	p.sessions[sid] = subject
	p.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sid, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, op.AuthCallbackURL(p.op)(r.Context(), id), http.StatusFound)
}

// token is the library's token endpoint, except for clients with a
// SubstituteAudience, whose ID token is swapped for one issued to the
// other client.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	clientID, _, _ := r.BasicAuth()
	p.mu.Lock()
	c := p.clients[clientID]
	p.mu.Unlock()
	if c.SubstituteAudience == "" && !c.ReplayIDToken {
		p.op.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	p.op.ServeHTTP(rec, r)
	var body map[string]any
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body["id_token"] == nil {
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
		return
	}
	if c.ReplayIDToken {
		p.mu.Lock()
		if first, ok := p.firstToken[c.ID]; ok {
			body["id_token"] = first
		} else {
			p.firstToken[c.ID] = body["id_token"].(string)
		}
		p.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(body)
		return
	}
	// The subject of the genuine token names the user; the provider made
	// that token, so reading it without checking the signature is safe.
	raw, _ := body["id_token"].(string)
	var claims oidc.IDTokenClaims
	if _, err := oidc.ParseToken(raw, &claims); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	other := Client{ID: c.SubstituteAudience}
	req := &authRequest{id: randomID(), req: oidc.AuthRequest{ClientID: other.ID, Scopes: oidc.SpaceDelimitedArray{"openid", "profile", "email"}},
		audience: []string{other.ID}, subject: claims.Subject, done: true, authTime: time.Now()}
	swapped, err := op.CreateIDToken(r.Context(), p.Issuer, req, 5*time.Minute, "", "", &storage{p}, client{c: other})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	body["id_token"] = swapped
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(body)
}

func (p *Provider) complete(requestID, subject string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	req, ok := p.requests[requestID]
	if !ok {
		return fmt.Errorf("no authorization request %q", requestID)
	}
	req.subject, req.done, req.authTime = subject, true, time.Now()
	return nil
}

// authRequest is one authorization request.
type authRequest struct {
	id        string
	req       oidc.AuthRequest
	audience  []string
	subject   string
	done      bool
	authTime  time.Time
	createdAt time.Time
}

func (a *authRequest) GetID() string         { return a.id }
func (a *authRequest) GetACR() string        { return "" }
func (a *authRequest) GetAMR() []string      { return []string{"pwd"} }
func (a *authRequest) GetAudience() []string { return a.audience }
func (a *authRequest) GetAuthTime() time.Time {
	return a.authTime
}
func (a *authRequest) GetClientID() string { return a.req.ClientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.req.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.req.CodeChallenge, Method: a.req.CodeChallengeMethod}
}
func (a *authRequest) GetNonce() string                   { return a.req.Nonce }
func (a *authRequest) GetRedirectURI() string             { return a.req.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType { return a.req.ResponseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return a.req.ResponseMode }
func (a *authRequest) GetScopes() []string                { return a.req.Scopes }
func (a *authRequest) GetState() string                   { return a.req.State }
func (a *authRequest) GetSubject() string                 { return a.subject }
func (a *authRequest) Done() bool                         { return a.done }

// client adapts Client to op.Client.
type client struct {
	c     Client
	login string
}

func (c client) GetID() string                       { return c.c.ID }
func (c client) RedirectURIs() []string              { return c.c.RedirectURIs }
func (c client) PostLogoutRedirectURIs() []string    { return c.c.PostLogoutRedirectURIs }
func (c client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c client) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodBasic }
func (c client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c client) GrantTypes() []oidc.GrantType { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c client) LoginURL(id string) string    { return c.login + "?id=" + id }
func (c client) AccessTokenType() op.AccessTokenType {
	return op.AccessTokenTypeBearer
}
func (c client) IDTokenLifetime() time.Duration {
	if c.c.IDTokenLifetime == 0 {
		return 5 * time.Minute
	}
	return c.c.IDTokenLifetime
}

// DevMode allows http redirect URIs, which loopback tests use.
func (c client) DevMode() bool { return true }
func (c client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c client) IsScopeAllowed(string) bool { return false }

// IDTokenUserinfoClaimsAssertion puts profile and email claims into the ID
// token, as Keycloak and most providers do.
func (c client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c client) ClockSkew() time.Duration             { return 0 }

// signingKey adapts the RSA key to op.SigningKey and op.Key.
type signingKey struct{ key *rsa.PrivateKey }

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k signingKey) Algorithm() jose.SignatureAlgorithm          { return jose.RS256 }
func (k signingKey) Key() any                                    { return k.key }
func (k signingKey) ID() string                                  { return "test-key" }
func (k signingKey) Use() string                                 { return "sig" }

type publicKey struct{ signingKey }

func (k publicKey) Key() any { return &k.key.PublicKey }

// storage implements op.Storage over the provider's maps.
type storage struct{ p *Provider }

var errNotSupported = errors.New("not supported by the test provider")

func (s *storage) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	if _, ok := s.p.clients[req.ClientID]; !ok {
		return nil, fmt.Errorf("unknown client %q", req.ClientID)
	}
	a := &authRequest{id: randomID(), req: *req, audience: []string{req.ClientID}, createdAt: time.Now()}
	s.p.requests[a.id] = a
	return a, nil
}

func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	a, ok := s.p.requests[id]
	if !ok {
		return nil, fmt.Errorf("no authorization request %q", id)
	}
	return a, nil
}

func (s *storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	a, ok := s.p.requests[s.p.codes[code]]
	if !ok {
		return nil, errors.New("unknown or used code")
	}
	return a, nil
}

func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	s.p.codes[code] = id
	s.p.codeIssued++
	return nil
}

func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	delete(s.p.requests, id)
	for code, rid := range s.p.codes {
		if rid == id {
			delete(s.p.codes, code)
		}
	}
	return nil
}

func (s *storage) CreateAccessToken(context.Context, op.TokenRequest) (string, time.Time, error) {
	return randomID(), time.Now().Add(5 * time.Minute), nil
}

func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errNotSupported
}

func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

// TerminateSession ends every browser session of the user here.
func (s *storage) TerminateSession(_ context.Context, userID, _ string) error {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	for sid, subject := range s.p.sessions {
		if subject == userID {
			delete(s.p.sessions, sid)
		}
	}
	s.p.signedOut = append(s.p.signedOut, userID)
	return nil
}

func (s *storage) RevokeToken(context.Context, string, string, string) *oidc.Error { return nil }

func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) {
	return signingKey{s.p.key}, nil
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{publicKey{signingKey{s.p.key}}}, nil
}

func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	c, ok := s.p.clients[id]
	if !ok {
		return nil, fmt.Errorf("unknown client %q", id)
	}
	return client{c: c, login: s.p.Issuer + "/login"}, nil
}

func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	c, ok := s.p.clients[id]
	if !ok || subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) != 1 {
		return errors.New("wrong client credentials")
	}
	return nil
}

func (s *storage) SetUserinfoFromScopes(_ context.Context, info *oidc.UserInfo, userID, _ string, scopes []string) error {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	u, ok := s.p.users[userID]
	if !ok {
		return fmt.Errorf("unknown user %q", userID)
	}
	info.Subject = u.Subject
	for _, scope := range scopes {
		switch scope {
		case oidc.ScopeProfile:
			info.PreferredUsername, info.Name = u.Username, u.Name
		case oidc.ScopeEmail:
			info.Email, info.EmailVerified = u.Email, oidc.Bool(!u.EmailUnverified)
		}
	}
	if u.Groups != nil {
		info.AppendClaims("groups", slices.Clone(u.Groups))
	}
	return nil
}

func (s *storage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, _, subject, _ string) error {
	return s.SetUserinfoFromScopes(ctx, info, subject, "", []string{oidc.ScopeProfile, oidc.ScopeEmail})
}

func (s *storage) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return errNotSupported
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errNotSupported
}

func (s *storage) ValidateJWTProfileScopes(_ context.Context, _ string, scopes []string) ([]string, error) {
	return scopes, nil
}

func (s *storage) Health(context.Context) error { return nil }
