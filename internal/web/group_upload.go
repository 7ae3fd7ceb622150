package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/waymark-bpm/waymark/internal/models"
)

// groupUpload unpacks a zip file of groups and models into a group.
func (s *Server) groupUpload(w http.ResponseWriter, r *http.Request) error {
	return s.upload(w, r, pathID(r), false)
}

// repoUpload unpacks a zip file of groups and models at the top level.
func (s *Server) repoUpload(w http.ResponseWriter, r *http.Request) error {
	return s.upload(w, r, "", false)
}

// upload reads the files of a multipart form and hands them to the
// repository: zip files are unpacked into the group or model, loose files
// (models only) are added to the model.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, id string, isModel bool) error {
	r = withAuthor(r)
	rerender := func(status int, msg string) error {
		if isModel {
			return s.renderModel(w, r, id, status, msg)
		}
		return s.renderGroup(w, r, id, status, msg)
	}
	files, err := readUploadForm(w, r)
	if err != nil {
		return rerender(http.StatusUnprocessableEntity, err.Error())
	}
	opts := models.UploadOptions{RenameClashes: r.PostFormValue("rename") == "1", Draft: r.PostFormValue("draft") == "1"}
	var res models.UploadResult
	switch {
	case len(files) == 1 && strings.HasSuffix(strings.ToLower(files[0].Name), ".zip"):
		res, err = s.models.UploadZip(r.Context(), id, files[0].Data, opts)
	case isModel:
		res, err = s.models.UploadFiles(r.Context(), id, files, opts)
	default:
		err = fmt.Errorf("%w: upload a zip file of groups and models into a group; loose files go into a model", models.ErrInvalid)
	}
	if err != nil {
		if msg, ok := userMessage(err); ok {
			return rerender(http.StatusUnprocessableEntity, "Nothing was changed. "+msg)
		}
		return err
	}
	msg := fmt.Sprintf("Uploaded %d files.", len(res.Written))
	for _, rn := range res.Renamed {
		msg += fmt.Sprintf(" Process %s in %s was renamed to %s.", rn.Old, rn.Model, rn.New)
	}
	if len(res.Problems) > 0 {
		msg += fmt.Sprintf(" %d problems were accepted as drafts.", len(res.Problems))
	}
	to := s.groupURL(id)
	if isModel {
		to = s.modelURL(id)
	}
	return s.flashRedirect(w, r, msg, to)
}

// readUploadForm reads the "files" parts of a multipart form, refusing
// more than the repository accepts before reading it all.
func readUploadForm(w http.ResponseWriter, r *http.Request) ([]models.UploadFile, error) {
	r.Body = http.MaxBytesReader(w, r.Body, models.MaxArchiveSize+1<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, fmt.Errorf("the upload is larger than %d MiB", models.MaxArchiveSize>>20)
		}
		return nil, fmt.Errorf("the upload could not be read: %v", err)
	}
	var files []models.UploadFile
	for _, fh := range r.MultipartForm.File["files"] {
		f, err := fh.Open()
		if err != nil {
			return nil, fmt.Errorf("%s could not be read: %v", fh.Filename, err)
		}
		data, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s could not be read: %v", fh.Filename, err)
		}
		files = append(files, models.UploadFile{Name: fh.Filename, Data: data})
	}
	if len(files) == 0 {
		return nil, errors.New("choose at least one file to upload")
	}
	return files, nil
}
