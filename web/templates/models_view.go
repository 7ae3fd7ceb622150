package templates

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Types of the model repository pages (models.templ). internal/web fills
// them from the repository; they hold plain values only.

// Crumb is one link of a breadcrumb trail.
type Crumb struct {
	Name string
	URL  string
}

// GroupNode is a process group in the tree or on its page.
type GroupNode struct {
	ID           string
	URL          string
	DisplayName  string
	Description  string
	DisplayOrder int
	Groups       []GroupNode
	Models       []ModelRow
}

// ModelRow is a process model in a list.
type ModelRow struct {
	ID           string
	URL          string
	DisplayName  string
	Description  string
	DisplayOrder int
	Files        int
	Problems     int
}

// ProcessRow is an indexed process (search result, caller).
type ProcessRow struct {
	ProcessID   string
	DisplayName string
	ModelID     string
	ModelURL    string
	File        string
	FileURL     string
	Rank        int
}

// ProblemRow is one problem of a file.
type ProblemRow struct {
	File    string
	Element string
	Line    int
	Message string
}

// FileRow is one file of a model.
type FileRow struct {
	Name     string
	URL      string
	Type     string
	Size     int64
	Updated  time.Time
	Problems int
}

// MetadataPathRow is one metadata extraction path.
type MetadataPathRow struct {
	Key  string
	Path string
}

// VersionRow is one saved version of a file.
type VersionRow struct {
	Version int
	Author  string
	Action  string
	Size    int64
	SHA256  string
	Created time.Time
	URL     string
}

// DeletedItemView is a deleted model or group (or a plain folder holding
// them) whose files the history keeps.
type DeletedItemView struct {
	ID          string
	Kind        string // "model", "group" or "folder"
	DisplayName string
	When        time.Time
	Author      string
	// RestoreURL takes a POST that brings the whole item back.
	RestoreURL string
	Files      []DeletedFileRow
}

// DeletedFileRow is a deleted file with a link to its history.
type DeletedFileRow struct {
	// Path is the file's path from the deleted item (or its model).
	Path       string
	HistoryURL string
	When       time.Time
	Author     string
	Action     string
}

// FileProcessView is a process a BPMN file defines, with the processes
// whose call activities call it.
type FileProcessView struct {
	ProcessID   string
	DisplayName string
	Callers     []ProcessRow
}

// VersionChoice is a version offered in the compare form; Value 0 is the
// current file.
type VersionChoice struct {
	Value string
	Label string
}

// DiffRow is one line of a text diff.
type DiffRow struct {
	Op      string // " ", "-" or "+"
	Text    string
	OldLine int
	NewLine int
}

// DecisionTableView is a DMN decision table as the file page shows it.
type DecisionTableView struct {
	ID        string
	Name      string
	HitPolicy string
	Inputs    []string
	Outputs   []string
	Rules     []DecisionRuleView
	// InputTypes are the inputs' typeRefs, lined up with Inputs.
	InputTypes []string
	// TryURL is where the "test this table" panel posts; CSRF its token.
	TryURL string
	CSRF   string
	// Tried is set once the panel was posted: Values are the inputs as
	// typed, Hits the rows that matched, Result the outputs as JSON, and
	// TryError what kept the table from being evaluated.
	Tried    bool
	Values   []string
	Hits     []int
	Result   string
	TryError string
	// Unchecked are errors of rules after the first match that the hit
	// policy never reaches.
	Unchecked []string
}

// UniqueOverlap reports a trial of a UNIQUE table (the default policy)
// that more than one rule matched.
func (d DecisionTableView) UniqueOverlap() bool {
	return len(d.Hits) > 1 && (d.HitPolicy == "" || strings.EqualFold(d.HitPolicy, "UNIQUE"))
}

// DecisionRuleView is one row of a decision table, cells as written.
type DecisionRuleView struct {
	Row         int
	Inputs      []string
	Outputs     []string
	Description string
	// Hit marks a rule that matched the panel's inputs; Used one whose
	// outputs the hit policy returned.
	Hit, Used bool
}

// TryValue is the value typed for input i, "" before the panel is used.
func (d DecisionTableView) TryValue(i int) string {
	if i < len(d.Values) {
		return d.Values[i]
	}
	return ""
}

// InputType is the typeRef of input i, "any" when the file names none.
func (d DecisionTableView) InputType(i int) string {
	if i < len(d.InputTypes) && d.InputTypes[i] != "" {
		return d.InputTypes[i]
	}
	return "any"
}

// RuleClass is the row's class: hit and used rules are marked.
func (r DecisionRuleView) RuleClass() string {
	switch {
	case r.Used:
		return "dmn-rule dmn-hit dmn-used"
	case r.Hit:
		return "dmn-rule dmn-hit"
	}
	return "dmn-rule"
}

// HitRows writes the rows that hit for people: "2, 3".
func (d DecisionTableView) HitRows() string {
	parts := make([]string, len(d.Hits))
	for i, n := range d.Hits {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ", ")
}

// FormatSize writes a byte count for people.
func FormatSize(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.1f KiB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/1024/1024)
}

// FormatTime writes a time in UTC to the minute.
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func diffClass(op string) string {
	switch op {
	case "+":
		return "diff-add"
	case "-":
		return "diff-del"
	}
	return "diff-same"
}

func lineNo(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprint(n)
}

// kindLabel names the kind of a deleted item for people.
func kindLabel(kind string) string {
	switch kind {
	case "model":
		return "Process model"
	case "group":
		return "Process group"
	}
	return "Folder"
}
