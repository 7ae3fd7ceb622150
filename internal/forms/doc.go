// Package forms turns SpiffArena user-task forms — a JSON schema plus a UI
// schema in react-jsonschema-form conventions — into a tree of Fields that
// web/templates renders as plain HTML, decodes the HTML form POST back into
// JSON data typed per the schema, and validates it on the server with a
// real JSON-schema validator (github.com/santhosh-tekuri/jsonschema/v6).
//
// It is a leaf: it imports only internal/jinja, the template engine it
// shares with internal/instructions.
//
// # Use
//
//	f, err := forms.ParseFiles("approve-schema.json", schema, "approve-uischema.json", ui, taskData)
//	// GET: render f.Fields() (web/templates.FormFields).
//	// POST:
//	data, uploads, err := f.Decode(r.PostForm, files) // files: forms.FormFiles(r.MultipartForm, limit)
//	if a := forms.Action(r.PostForm); a != "" {        // add/remove/reorder/refresh button
//		data, err = f.Apply(data, a)
//		// render f.WithValues(data) again, no validation
//	}
//	if errs := f.Validate(data); errs != nil {
//		// render f.WithValues(data).WithErrors(errs): errors beside fields, input kept
//	}
//	// store each upload's Data under its Digest; data holds upload.Ref
//
// A task that is not ready renders f.ReadOnly() with no submit button.
//
// # What Parse does, in SpiffArena's order
//
//   - Both files go through Jinja (internal/jinja: autoescape, trim_blocks,
//     lstrip_blocks) with the task data as context, before JSON parsing.
//     Errors name the file (and line where known).
//   - "options_from_task_data_var:NAME" as the single element of an anyOf
//     (or items) list is replaced by the task-data list NAME; entries with
//     value and label become {type: string, enum: [value], title: label}.
//     A missing variable is ErrMissingTaskDataVar, an empty list or a
//     non-list ErrInvalidFormData.
//   - Task data form_ui_hidden_fields (dotted paths) sets ui:widget hidden.
//   - $refs must point inside the schema ("#/definitions/x", "#/$defs/x");
//     nothing is fetched from the network or the disk.
//   - Values are prefilled from the task data (nulls dropped); schema
//     defaults fill the gaps at render.
//
// # Schema and UI keys
//
// Types string (formats date, date-time, email, uri, data-url), number,
// integer, boolean, object, array; enum (with enumNames or ui:enumNames),
// oneOf/anyOf of const/enum branches with titles (select, or radio with
// ui:widget radio); arrays of choices (multi-select, or ui:widget
// checkboxes); arrays of values and objects with add/remove/reorder
// (minItems, maxItems, ui:options addable/removable/orderable); nested
// objects; required; default; conditional fields through dependencies
// (property and schema dependencies, including the oneOf-branch pattern;
// in 2019-09 and 2020-12 schemas also dependentRequired and
// dependentSchemas), if/then/else and allOf, evaluated against the current
// values. An error whose field is not shown is listed above the form. UI keys:
// ui:order (with "*"), ui:widget (text, textarea, password, email, uri,
// date, alt-date, datetime, alt-datetime, select, radio, checkboxes,
// hidden, updown, range), ui:help, ui:placeholder, ui:readonly (also
// ui:disabled and the schema's readOnly), ui:autofocus, ui:description,
// ui:title, ui:emptyValue, ui:autocomplete, ui:options (rows, inline,
// label: false, accept, addable, removable, orderable).
//
// SpiffArena's additions: widgets date-range (value "start:::end"),
// markdown (a textarea with a preview the script asks the server for),
// typeahead (a text input carrying category and itemFormat as data
// attributes; the script searches the connector proxy and stores the
// chosen record as a JSON string), formattedNumber (shown with thousands
// separators; decode takes them out, strictly in groups of three, and
// submits a number, or the plain numeric text for a string schema;
// ui:options decimals and allowNegative are checked by Validate); fields
// numeric-range (min ≤ max is checked) and calculated (+ - * / and
// parentheses over object-relative names, "$." for the root, missing = 0,
// ui:options decimals rounding, format "number" or "currency"; recomputed
// on the server at decode and render, what the browser sends is ignored;
// a division by zero leaves it empty); ui:layout grids; minimumDate and
// maximumDate ("today", "field:name", "field:name:start|end"); a required
// boolean checkbox must be checked; ui:options.validateJson; the submit
// label (ui:submitButtonOptions.submitText). web/static/js/forms.js
// formats numbers and recomputes calculated fields as the user types, with
// the same rules as number.go and calc.go.
//
// # Paths
//
// A field's path (Field.Path, FieldError.Path, the input's name) joins keys
// and array indexes with ".": "address.street", "items.0.name". A "." or
// "~" inside a key is written "~1" or "~0", so SpiffArena's dotted keys
// ("invoice.dueDate") stay one field.
//
// # Decoding
//
// Empty optional inputs are left out (ui:emptyValue overrides), numbers that
// do not parse are kept as the typed text so that the form can show them
// back, read-only fields keep the server-side value, keys outside the
// schema are dropped (SpiffArena submits with omitExtraData). Checkboxes
// post a hidden "false" before the box, so an unchecked box decodes to
// false; arrays post their length as "__len:PATH". datetime inputs are read
// as UTC and stored as RFC 3339.
//
// # Uploads
//
// A format "data-url" field renders as a file input. Decode returns each
// uploaded file as an Upload with its SHA-256 digest and puts SpiffArena's
// reference "data:<type>;name=<file>;base64,spifffiledatadigest+<digest>"
// into the data; the caller stores the bytes. A field that already holds a
// reference keeps it (a hidden input) unless a new file is chosen.
//
// # Validation
//
// The schema is compiled as draft-07 unless its "$schema" names another
// draft (2020-12 included), with format assertions on. Errors are mapped to
// field paths in plain words: "is required", "must be at least 3
// characters", "must be a whole number", "must be one of the choices".
package forms
