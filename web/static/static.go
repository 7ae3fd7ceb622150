// Package static embeds the browser assets (CSS, JavaScript) and serves
// them under content-hash URLs.
//
// Path("css/app.css") returns "css/app.css?v=<hash>", where hash is derived
// from the file's bytes. A request carrying the current hash is cached by
// browsers for a year; any other request is revalidated against the hash,
// which is also the ETag. A new release therefore changes every changed
// asset's URL and nothing stale is served.
//
// js/forms.js is Waymark's own: the task form's widgets, loaded by the task
// page at its content-hash URL. js/address.js is too: on a page answering a
// form post it shows the page's GET address (every page loads it).
// js/modeler-fit.js fits the modeler's diagram beside its palette.
//
// Vendored files:
//   - js/htmx.min.js is htmx 2.0.11 (npm package htmx.org@2.0.11, file
//     dist/htmx.min.js, sha256 d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717),
//     licence in js/htmx.LICENSE.txt.
//   - bpmn-js-spiff/dist is the modeler and viewer bundle built from
//     bpmn-js-spiff/src with the versions pinned in its package-lock.json
//     (make assets); the licences of the bundled packages are at the end
//     of each .js file.
//   - dmn-js/dist is the decision editor bundle (dmn-js) built from
//     dmn-js/src the same way, with its own package-lock.json.
//
// The package imports no other Waymark package.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed css js bpmn-js-spiff/dist dmn-js/dist
var files embed.FS

// hashes maps every embedded file's path to a short hash of its content.
var hashes = func() map[string]string {
	m := map[string]string{}
	err := fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		m[path] = hex.EncodeToString(sum[:])[:12]
		return nil
	})
	if err != nil {
		panic("static: " + err.Error())
	}
	return m
}()

// Path returns the versioned path of an embedded asset, relative to where
// Handler is mounted. It panics on a name that is not embedded, which the
// tests that render every page catch.
func Path(name string) string {
	h, ok := hashes[name]
	if !ok {
		panic("static: no such asset: " + name)
	}
	return name + "?v=" + h
}

// Handler serves the embedded assets; mount it with the mount prefix
// stripped.
func Handler() http.Handler {
	fileServer := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		h, ok := hashes[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if r.URL.Query().Get("v") == h {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		// The content hash is the entity tag, so that revalidating an
		// unversioned URL costs a 304 (embedded files have no
		// modification time for If-Modified-Since).
		w.Header().Set("ETag", `"`+h+`"`)
		fileServer.ServeHTTP(w, r)
	})
}
