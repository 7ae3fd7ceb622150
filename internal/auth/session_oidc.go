package auth

// Session keys of a sign-in through a provider.
const (
	keyProvider = "oidc_provider"
	keyIDToken  = "oidc_id_token"
)

// maxStoredIDToken bounds the ID token kept in the session cookie, which
// browsers limit to about 4 KB; a longer token is not kept, and signing out
// at the provider then goes without the hint.
const maxStoredIDToken = 1800

// SetProvider records that the session's user signed in through the
// provider, with the ID token to hint at when signing out there. Call it
// after SignIn.
func (s *Session) SetProvider(providerID, idToken string) {
	s.s.Values[keyProvider] = providerID
	if len(idToken) <= maxStoredIDToken {
		s.s.Values[keyIDToken] = idToken
	}
}

// Provider returns the provider the user signed in through ("" for a
// password sign-in) and the ID token kept for signing out there.
func (s *Session) Provider() (providerID, idToken string) {
	providerID, _ = s.s.Values[keyProvider].(string)
	idToken, _ = s.s.Values[keyIDToken].(string)
	return providerID, idToken
}
