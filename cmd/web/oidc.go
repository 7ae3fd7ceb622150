package main

import (
	"fmt"

	"github.com/waymark-bpm/waymark/internal/auth"
	"github.com/waymark-bpm/waymark/internal/config"
)

// envProviderID names the provider set with WAYMARK_OIDC_* in URLs.
const envProviderID = "oidc"

// oidcProviders gathers the OpenID Connect providers of the configuration:
// the one set with WAYMARK_OIDC_* (id "oidc") first, then those of the
// providers file.
func oidcProviders(cfg config.Config) ([]auth.ProviderConfig, error) {
	var out []auth.ProviderConfig
	if cfg.OIDC.Issuer != "" {
		p, err := auth.CheckProviders([]auth.ProviderConfig{{
			ID:            envProviderID,
			Name:          cfg.OIDC.Name,
			Issuer:        cfg.OIDC.Issuer,
			ClientID:      cfg.OIDC.ClientID,
			ClientSecret:  cfg.OIDC.ClientSecret,
			Scopes:        cfg.OIDC.Scopes,
			GroupsClaim:   cfg.OIDC.GroupsClaim,
			UsernameClaim: cfg.OIDC.UsernameClaim,
		}})
		if err != nil {
			return nil, fmt.Errorf("WAYMARK_OIDC_*: %w", err)
		}
		out = append(out, p...)
	}
	if cfg.OIDCProvidersFile != "" {
		more, err := auth.LoadProvidersFile(cfg.OIDCProvidersFile)
		if err != nil {
			return nil, err
		}
		for _, p := range more {
			if p.ID == envProviderID && cfg.OIDC.Issuer != "" {
				return nil, fmt.Errorf("OIDC providers %s: id %q is taken by the provider of WAYMARK_OIDC_ISSUER", cfg.OIDCProvidersFile, p.ID)
			}
		}
		out = append(out, more...)
	}
	return out, nil
}
