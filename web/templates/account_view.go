package templates

import "strconv"

func (r SessionRow) idString() string {
	return strconv.FormatInt(r.ID, 10)
}

// ID returns a user's id as written in URLs.
func (u AdminUser) IDString() string {
	return strconv.FormatInt(u.ID, 10)
}
