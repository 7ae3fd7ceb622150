package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/waymark-bpm/waymark/internal/models"
)

// groupUpdate saves a group's display name, description and display order.
func (s *Server) groupUpdate(w http.ResponseWriter, r *http.Request) error {
	r = withAuthor(r)
	id := pathID(r)
	order, err := formInt(r, "display_order")
	if err == nil {
		in := models.GroupInput{DisplayName: r.PostFormValue("display_name"), Description: r.PostFormValue("description"), DisplayOrder: order}
		err = s.models.UpdateGroup(r.Context(), id, in)
	}
	if err != nil {
		if msg, ok := userMessage(err); ok {
			return s.renderGroup(w, r, id, http.StatusUnprocessableEntity, msg)
		}
		return err
	}
	return s.flashRedirect(w, r, "Group saved.", s.groupURL(id))
}

// formInt reads an optional integer form field.
func formInt(r *http.Request, name string) (int, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%w: %s must be a whole number, not %q", models.ErrInvalid, strings.ReplaceAll(name, "_", " "), v)
	}
	return n, nil
}
