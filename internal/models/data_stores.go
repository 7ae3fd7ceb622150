package models

// DataStoreLocation returns the process group that defines the data store
// of the type ("json", "kkv") and identifier nearest above a model, as
// SpiffArena searches upward from the model; false when no group does.
func (r *Repo) DataStoreLocation(modelID, typ, identifier string) (string, bool) {
	for _, d := range r.DataStores(modelID) {
		if d.Type == typ && d.ID == identifier {
			return d.Location, true
		}
	}
	return "", false
}
