package templates

import "encoding/json"

// Sections of the navigation, used to mark the current one.
const (
	SectionModels    = "models"
	SectionStart     = "start"
	SectionInbox     = "inbox"
	SectionInstances = "instances"
	SectionAdmin     = "admin"
)

// Prefix is the path prefix Waymark is served under: "" or, behind a
// reverse proxy with a path, something like "/waymark". Every URL in pages
// and redirects is built with its URL method.
type Prefix string

// URL returns the path of a page inside Waymark; p starts with "/".
func (p Prefix) URL(path string) string {
	return string(p) + path
}

// Base is what every page needs. internal/web builds it in one place.
type Base struct {
	// Title is the page title, without the product name.
	Title string
	// Section marks the current navigation item.
	Section string
	// User is the signed-in user; nil on public pages.
	User *User
	// Flash is a one-time message from the previous request.
	Flash string
	// Address is the GET address of a page rendered in answer to a form
	// post (a form refused with what the user typed): the browser shows it
	// in place of the post's address, so reload and bookmarks open the
	// page instead of posting again. "" for pages answering a GET.
	Address string
	// Alert is a one-time error from the previous request: why a form
	// post was refused, shown on the form's page (post, redirect, get).
	Alert string
	// CSRFToken goes into every form and into htmx's request headers.
	CSRFToken string
	// Prefix is the URL path prefix.
	Prefix Prefix
	// InboxCount is how many tasks the user can act on now, shown in the
	// navigation.
	InboxCount int
	// Stylesheet and Scripts are the asset URLs the layout loads.
	Stylesheet string
	Scripts    []string
}

// User is the signed-in user as pages show it.
type User struct {
	Name    string
	IsAdmin bool
	// Inbox and Instances: the user's permissions open those pages (the
	// navigation leaves out the others).
	Inbox, Instances bool
}

// URL returns the path of a page inside Waymark.
func (b Base) URL(path string) string {
	return b.Prefix.URL(path)
}

// HXHeaders is the value of hx-headers on <body>: htmx sends the CSRF
// token with every request it makes.
func (b Base) HXHeaders() string {
	h, _ := json.Marshal(map[string]string{"X-CSRF-Token": b.CSRFToken})
	return string(h)
}

// DocumentTitle is the <title> text.
func (b Base) DocumentTitle() string {
	if b.Title == "" {
		return "Waymark"
	}
	return b.Title + " · Waymark"
}
