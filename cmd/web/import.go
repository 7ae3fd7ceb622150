package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/waymark-bpm/waymark/internal/config"
	"github.com/waymark-bpm/waymark/internal/models"
)

// importCmd imports a folder of groups and models (a checkout of a
// SpiffArena repository) into the model repository, with the checks of a
// zip upload: every problem is listed at once, and nothing is written
// unless -drafts imports everything that is safe. A running server picks
// the new models up at its next start or repository refresh.
func importCmd(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "import")
	into := fs.String("into", "", "the process group to import into (default: the top level)")
	drafts := fs.Bool("drafts", false, "import everything that is safe, saving files with problems as drafts")
	rename := fs.Bool("rename", false, "give processes whose ids the repository already uses a new id")
	folders, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(folders) != 1 {
		return usageErrorf("import takes one folder: web import [-into GROUP] [-drafts] [-rename] DIR")
	}
	dir := folders[0]
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return usageErrorf("%s is not a folder", dir)
	}
	cfg, err := config.FromEnv(e.getenv)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	repo, err := models.Open(ctx, cfg.ModelsDir, db, nil)
	if err != nil {
		return err
	}
	ctx = models.WithAuthor(ctx, "web import")
	res, err := repo.ImportDir(ctx, *into, dir, models.UploadOptions{Draft: *drafts, RenameClashes: *rename})
	var pe *models.ProblemsError
	if errors.As(err, &pe) {
		for _, p := range pe.Problems {
			fmt.Fprintln(e.stdout, problemLine(p))
		}
		hint := ""
		if !*drafts {
			hint = "; -drafts imports everything that is safe"
		}
		return fmt.Errorf("%w: %d in %d files; nothing was imported%s", errProblems, len(pe.Problems), models.ProblemFiles(pe.Problems), hint)
	}
	if err != nil {
		return err
	}
	for _, p := range res.Refused {
		fmt.Fprintln(e.stdout, problemLine(p))
	}
	for _, p := range res.Problems {
		fmt.Fprintln(e.stdout, problemLine(p))
	}
	for _, rn := range res.Renamed {
		fmt.Fprintf(e.stdout, "renamed process %s in %s to %s\n", rn.Old, rn.Model, rn.New)
	}
	fmt.Fprintf(e.stdout, "imported %d files into %s; %d saved as drafts, %d not imported\n",
		len(res.Written), cfg.ModelsDir, len(res.Drafts), models.ProblemFiles(res.Refused))
	return nil
}

// problemLine prints a problem as "file:line: element: message", marking
// files an import leaves out.
func problemLine(p models.Problem) string {
	if p.Refused {
		return p.String() + " (not imported)"
	}
	return p.String()
}
