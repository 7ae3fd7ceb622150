package web

import "net/http"

// dataStoreJSON is one data store of GET /api/process-models/{id}/data-stores,
// in the shape SpiffArena's data store list has: the modeler writes id as
// the bpmn:dataStore id, clz as its name, and name and type on the
// reference.
type dataStoreJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Type        string `json:"type"`
	Clz         string `json:"clz"`
	Location    string `json:"location"`
	Description string `json:"description,omitempty"`
}

// apiModelDataStores lists the data stores the model's process groups
// define (process_group.json "data_store_specifications").
func (s *Server) apiModelDataStores(w http.ResponseWriter, r *http.Request) error {
	out := []dataStoreJSON{}
	for _, d := range s.models.DataStores(pathID(r)) {
		out = append(out, dataStoreJSON{d.ID, d.Name, d.Type, d.Class, d.Location, d.Description})
	}
	return writeJSON(w, http.StatusOK, out)
}
