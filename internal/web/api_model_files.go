package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/waymark-bpm/waymark/internal/models"
)

// fileJSON is one file of GET /api/process-models/{id}/files.
type fileJSON struct {
	Name    string    `json:"name"`
	Type    string    `json:"type"`
	Size    int64     `json:"size"`
	Updated time.Time `json:"updated"`
}

// saveJSON answers a save: saved, and the problems found (a draft is
// saved with them).
type saveJSON struct {
	Saved    bool             `json:"saved"`
	Problems []models.Problem `json:"problems"`
	Name     string           `json:"name,omitempty"`
}

// apiModelFileList lists a model's files.
func (s *Server) apiModelFileList(w http.ResponseWriter, r *http.Request) error {
	m, err := s.models.Model(pathID(r))
	if err != nil {
		return err
	}
	out := make([]fileJSON, 0, len(m.Files))
	for _, f := range m.Files {
		out = append(out, fileJSON{f.Name, f.Type, f.Size, f.Updated})
	}
	return writeJSON(w, http.StatusOK, out)
}

// apiModelFileShow sends a file's content as it is on disk.
func (s *Server) apiModelFileShow(w http.ResponseWriter, r *http.Request) error {
	data, err := s.models.ReadFile(pathID(r), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeModelFile(w, r.PathValue("name"), data)
	return nil
}

// apiModelFileUpdate saves the request body as the file (creating it when
// missing). With problems it answers 422 and replaces nothing, unless
// ?draft=1 asks to save anyway.
func (s *Server) apiModelFileUpdate(w http.ResponseWriter, r *http.Request) error {
	r = withAuthor(r)
	id, name := pathID(r), r.PathValue("name")
	body, err := readBody(w, r)
	if err != nil {
		return s.refuseSave(w, id, name, err)
	}
	draft := r.URL.Query().Get("draft") == "1" || r.URL.Query().Get("draft") == "true"
	res, err := s.models.SaveFile(r.Context(), id, name, body, draft)
	if err != nil {
		return s.refuseSave(w, id, name, err)
	}
	// Warnings go with the problems, so that the modeler marks an element
	// no run reaches too; they did not stop the save.
	problems := nonNil(res.Problems)
	for _, p := range res.Warnings {
		p.Warning = true
		problems = append(problems, p)
	}
	return writeJSON(w, http.StatusOK, saveJSON{Saved: true, Problems: problems})
}

// apiModelFileCreate adds a file to a model from {"name": ..., "content":
// ...}; an empty BPMN file gets a start diagram. 409 when the name is
// taken.
func (s *Server) apiModelFileCreate(w http.ResponseWriter, r *http.Request) error {
	r = withAuthor(r)
	id := pathID(r)
	body, err := readBody(w, r)
	if err != nil {
		return s.refuseSave(w, id, "", err)
	}
	var in struct {
		Name    string `json:"name"`
		Content string `json:"content"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return s.refuseSave(w, id, "", fmt.Errorf("%w: the body must be a JSON object {\"name\": ..., \"content\": ...}: %v", models.ErrInvalid, err))
	}
	name := strings.TrimSpace(in.Name)
	res, err := s.models.CreateFile(r.Context(), id, name, []byte(in.Content))
	if errors.Is(err, models.ErrExists) {
		return writeJSON(w, http.StatusConflict, map[string]string{"message": fmt.Sprintf("a file named %q is already in the model", name)})
	}
	if err != nil {
		return s.refuseSave(w, id, name, err)
	}
	return writeJSON(w, http.StatusCreated, saveJSON{Saved: true, Problems: nonNil(res.Problems), Name: name})
}

// refuseSave answers 422 {"saved": false, "problems": [...]} for content
// or names the repository refuses; other errors go to the error table.
func (s *Server) refuseSave(w http.ResponseWriter, modelID, name string, err error) error {
	var pe *models.ProblemsError
	if errors.As(err, &pe) {
		return writeJSON(w, http.StatusUnprocessableEntity, saveJSON{Problems: pe.Problems})
	}
	if msg, ok := userMessage(err); ok {
		file := modelID
		if name != "" {
			file = modelID + "/" + name
		}
		return writeJSON(w, http.StatusUnprocessableEntity, saveJSON{Problems: []models.Problem{{File: file, Message: msg}}})
	}
	return err
}

// readBody reads a request body of at most the repository's file size.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, models.MaxFileSize+1))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, fmt.Errorf("%w: the body is larger than %d MiB", models.ErrInvalid, models.MaxFileSize>>20)
	}
	return body, err
}

func nonNil(ps []models.Problem) []models.Problem {
	if ps == nil {
		return []models.Problem{}
	}
	return ps
}
