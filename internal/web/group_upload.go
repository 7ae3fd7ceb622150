package web

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/waymark-bpm/waymark/internal/models"
	"github.com/waymark-bpm/waymark/web/templates"
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
	files, zipFile, err := readUploadForm(w, r)
	if err != nil {
		return rerender(http.StatusUnprocessableEntity, err.Error())
	}
	opts := models.UploadOptions{RenameClashes: r.PostFormValue("rename") == "1", Draft: r.PostFormValue("draft") == "1"}
	var res models.UploadResult
	switch {
	case zipFile != nil:
		res, err = s.uploadZip(r, id, zipFile, opts)
	case isModel:
		res, err = s.models.UploadLooseFiles(r.Context(), id, files, opts)
	default:
		err = fmt.Errorf("%w: upload a zip file of groups and models into a group; loose files go into a model", models.ErrInvalid)
	}
	var pe *models.ProblemsError
	if err != nil && !isModel && errors.As(err, &pe) {
		// Every problem of a repository upload, listed by file.
		return s.renderGroupReport(w, r, id, http.StatusUnprocessableEntity, "", s.uploadReport(pe.Problems, true,
			fmt.Sprintf("Nothing was changed: %s.", problemCount(pe.Problems))))
	}
	if err != nil {
		if msg, ok := userMessage(err); ok {
			return rerender(http.StatusUnprocessableEntity, "Nothing was changed. "+msg)
		}
		return err
	}
	msg := fmt.Sprintf("Uploaded %s.", templates.Count(len(res.Written), "file", "files"))
	for _, rn := range res.Renamed {
		msg += fmt.Sprintf(" Process %s in %s was renamed to %s.", rn.Old, rn.Model, rn.New)
	}
	if !isModel && len(res.Problems)+len(res.Refused) > 0 {
		// The list is too long for a flash message: shown here, at the
		// upload's address.
		msg += fmt.Sprintf(" %s saved as drafts, to fix in the modeler; %s not imported.",
			templates.Count(len(res.Drafts), "file", "files"), templates.Count(models.ProblemFiles(res.Refused), "file", "files"))
		return s.renderGroupReport(w, r, id, http.StatusOK, "", s.uploadReport(append(res.Refused, res.Problems...), false, msg))
	}
	if len(res.Problems) > 0 {
		msg += fmt.Sprintf(" %d problems were accepted as drafts.", len(res.Problems))
	}
	for _, p := range res.Refused {
		msg += " Not imported: " + p.String() + "."
	}
	to := s.groupURL(id)
	if isModel {
		to = s.modelURL(id)
	}
	return s.flashRedirect(w, r, msg, to)
}

// uploadZip hands one uploaded zip file to the repository without reading
// it into memory: the multipart form keeps large parts in a temporary
// file, which the repository reads entry by entry.
func (s *Server) uploadZip(r *http.Request, id string, fh *multipart.FileHeader, opts models.UploadOptions) (models.UploadResult, error) {
	f, err := fh.Open()
	if err != nil {
		return models.UploadResult{}, fmt.Errorf("%w: %s could not be read: %v", models.ErrInvalid, fh.Filename, err)
	}
	defer f.Close()
	return s.models.UploadZipFrom(r.Context(), id, f, fh.Size, opts)
}

// readUploadForm reads the "files" parts of a multipart form, refusing
// more than the repository accepts before reading it all. A single zip
// file is returned unread, as its header.
func readUploadForm(w http.ResponseWriter, r *http.Request) ([]models.LooseFile, *multipart.FileHeader, error) {
	r.Body = http.MaxBytesReader(w, r.Body, models.MaxArchiveSize+1<<20)
	// Parts beyond 1 MiB go to a temporary file rather than memory.
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, nil, fmt.Errorf("the upload is larger than %d MiB", models.MaxArchiveSize>>20)
		}
		return nil, nil, fmt.Errorf("the upload could not be read: %v", err)
	}
	if fhs := r.MultipartForm.File["files"]; len(fhs) == 1 && strings.HasSuffix(strings.ToLower(fhs[0].Filename), ".zip") {
		return nil, fhs[0], nil
	}
	var files []models.LooseFile
	for _, fh := range r.MultipartForm.File["files"] {
		// Read by the repository when its turn comes, from memory or from
		// the temporary file the form keeps for a large part.
		files = append(files, models.LooseFile{Name: fh.Filename, Open: func() (io.ReadCloser, error) { return fh.Open() }})
	}
	if len(files) == 0 {
		return nil, nil, errors.New("choose at least one file to upload")
	}
	return files, nil, nil
}

// uploadReport groups an upload's problems by file for its page: files
// left out first, then drafts, each in path order.
func (s *Server) uploadReport(ps []models.Problem, refused bool, summary string) *templates.UploadReport {
	rep := &templates.UploadReport{Refused: refused, Summary: summary}
	byFile := map[string]int{}
	for _, p := range ps {
		i, ok := byFile[p.File]
		if !ok {
			i = len(rep.Files)
			byFile[p.File] = i
			f := templates.UploadFileReport{Path: p.File, LeftOut: p.Refused}
			if dir, name := path.Split(p.File); !refused && !p.Refused && name != "" {
				if _, err := s.models.Model(strings.TrimSuffix(dir, "/")); err == nil {
					f.URL = s.fileURL(strings.TrimSuffix(dir, "/"), name)
				}
			}
			rep.Files = append(rep.Files, f)
		}
		f := &rep.Files[i]
		f.LeftOut = f.LeftOut || p.Refused
		f.Problems = append(f.Problems, templates.UploadProblem{Line: p.Line, Element: p.Element, Message: p.Message})
	}
	slices.SortStableFunc(rep.Files, func(a, b templates.UploadFileReport) int {
		if a.LeftOut != b.LeftOut {
			if a.LeftOut {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Path, b.Path)
	})
	return rep
}

// problemCount says how many problems were found in how many files.
func problemCount(ps []models.Problem) string {
	return templates.Count(len(ps), "problem", "problems") + " in " + templates.Count(models.ProblemFiles(ps), "file", "files")
}
