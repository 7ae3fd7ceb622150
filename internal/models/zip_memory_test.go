package models

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// bigZip is a model folder m<i> with three 16 MiB text entries: a small
// zip that unpacks to 48 MiB.
func bigZip(t testing.TB, i int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, body []byte) {
		w, err := zw.Create(fmt.Sprintf("m%d/%s", i, name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	add("process_model.json", []byte(`{"display_name": "Big", "description": ""}`))
	// Written a block at a time, so the test itself holds no 16 MiB value.
	block := bytes.Repeat([]byte(fmt.Sprintf("upload %d: a line of notes\n", i)), 1024)
	for n := range 3 {
		w, err := zw.Create(fmt.Sprintf("m%d/notes-%d.txt", i, n))
		if err != nil {
			t.Fatal(err)
		}
		for written := 0; written+len(block) <= 16<<20; written += len(block) {
			if _, err := w.Write(block); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestUploadSlots: with the upload concurrency at one, an upload waits
// while another holds the slot and gives up, changing nothing, when its
// context ends; once the slot is free it goes through.
func TestUploadSlots(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "models")
	r, _ := openRepo(t, dir)
	r.LimitUploads(1)
	release, err := r.uploadSlot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("small/process_model.json")
	w.Write([]byte(`{"display_name": "Small", "description": ""}`))
	zw.Close()

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.UploadZip(ctx, "", buf.Bytes(), UploadOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("upload while the slot is taken: err = %v, want context.Canceled", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "small")); !os.IsNotExist(err) {
		t.Fatalf("the waiting upload wrote something: %v", err)
	}
	release()
	res, err := r.UploadZip(context.Background(), "", buf.Bytes(), UploadOptions{})
	if err != nil || len(res.Written) != 1 {
		t.Fatalf("upload with the slot free: %v, %+v", err, res)
	}
}

// TestUploadLooseFiles: loose files are read through Open when the
// upload's turn comes and spooled like zip entries: their content lands in
// the model, a file over the size limit or one that cannot be read is
// refused by name and nothing is written.
func TestUploadLooseFiles(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "models")
	r, _ := openRepo(t, dir)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("m/process_model.json")
	w.Write([]byte(`{"display_name": "M", "description": ""}`))
	zw.Close()
	if _, err := r.UploadZip(ctx, "", buf.Bytes(), UploadOptions{}); err != nil {
		t.Fatal(err)
	}
	open := func(b []byte) func() (io.ReadCloser, error) {
		return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	before := snapshotDir(t, dir)
	for _, tt := range []struct {
		name string
		file LooseFile
		want string
	}{
		{"oversize", LooseFile{Name: "big.txt", Open: open(make([]byte, MaxFileSize+1))}, `"big.txt" is larger than 16 MiB`},
		{"unreadable", LooseFile{Name: "gone.txt", Open: func() (io.ReadCloser, error) { return nil, errors.New("temporary file vanished") }}, `"gone.txt" could not be read: temporary file vanished`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.UploadLooseFiles(ctx, "m", []LooseFile{{Name: "ok.txt", Open: open([]byte("fine"))}, tt.file}, UploadOptions{})
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrInvalid mentioning %s", err, tt.want)
			}
			if diff := cmp.Diff(before, snapshotDir(t, dir)); diff != "" {
				t.Errorf("refused upload changed the repository (-before +after):\n%s", diff)
			}
		})
	}
	res, err := r.UploadLooseFiles(ctx, "m", []LooseFile{{Name: "notes.txt", Open: open([]byte("hello"))}}, UploadOptions{})
	if err != nil || len(res.Written) != 1 {
		t.Fatalf("upload: %v %+v", err, res)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "m", "notes.txt")); err != nil || string(b) != "hello" {
		t.Errorf("notes.txt = %q, %v", b, err)
	}
}
