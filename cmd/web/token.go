package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/waymark-bpm/waymark/internal/auth"
	"github.com/waymark-bpm/waymark/internal/config"
)

const tokenUsage = "web token create --user NAME [--name LABEL] [--expires DURATION] | list | revoke --user NAME --name LABEL"

// tokenCmd manages the bearer tokens of the machine API:
//
//	web token create --user NAME [--name LABEL] [--expires DURATION]
//	                  prints the token once; only its hash is kept
//	web token list    user, label, creation, last use and expiry; never tokens
//	web token revoke --user NAME --name LABEL
func tokenCmd(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		return usageErrorf(tokenUsage)
	}
	verb := args[0]
	fs := flag.NewFlagSet("token "+verb, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	user := fs.String("user", "", "the user the token acts as")
	label := fs.String("name", "", "the token's label, unique per user")
	expires := fs.Duration("expires", 0, "lifetime (e.g. 720h); none for a token that does not expire")
	if err := fs.Parse(args[1:]); err != nil {
		return usageErrorf("%v; %s", err, tokenUsage)
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected %q; %s", fs.Arg(0), tokenUsage)
	}
	cfg, err := config.FromEnv(e.getenv)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	tokens := auth.NewAPITokens(db, nil)
	switch verb {
	case "create":
		if *user == "" {
			return usageErrorf("token create needs --user NAME")
		}
		token, row, err := tokens.Create(ctx, *user, *label, "cli", *expires)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, token)
		exp := "never"
		if !row.ExpiresAt.IsZero() {
			exp = row.ExpiresAt.Format(time.RFC3339)
		}
		fmt.Fprintf(e.stderr, "token %q of %s created; it expires %s and is not shown again\n", row.Label, row.Username, exp)
	case "list":
		list, err := tokens.List(ctx, 0)
		if err != nil {
			return err
		}
		for _, t := range list {
			used, exp := "never", "never"
			if !t.LastUsedAt.IsZero() {
				used = t.LastUsedAt.Format(time.RFC3339)
			}
			if !t.ExpiresAt.IsZero() {
				exp = t.ExpiresAt.Format(time.RFC3339)
			}
			fmt.Fprintf(e.stdout, "%s\t%s\tcreated %s by %s\tlast used %s\texpires %s\n",
				t.Username, t.Label, t.CreatedAt.Format(time.RFC3339), t.CreatedBy, used, exp)
		}
	case "revoke":
		if *user == "" || *label == "" {
			return usageErrorf("token revoke needs --user NAME --name LABEL")
		}
		if err := tokens.Revoke(ctx, *user, *label); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "token %q of %s revoked\n", *label, *user)
	default:
		return usageErrorf(tokenUsage)
	}
	return nil
}
