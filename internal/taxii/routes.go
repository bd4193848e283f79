package taxii

import "net/http"

// Routes registers the TAXII 2.1 endpoints on mux: discovery at /taxii2/
// and the single API root at /taxii2/root/.
func (s *Server) Routes(mux *http.ServeMux) {
	mux.Handle("GET /taxii2/{$}", s.handle(s.getDiscovery))
	mux.Handle("GET /taxii2/root/{$}", s.handle(s.getAPIRoot))
	mux.Handle("GET /taxii2/root/status/{id}/{$}", s.handle(s.getStatus))
	mux.Handle("GET /taxii2/root/collections/{$}", s.handle(s.getCollections))
	mux.Handle("GET /taxii2/root/collections/{id}/{$}", s.handle(s.getCollection))
	mux.Handle("GET /taxii2/root/collections/{id}/manifest/{$}", s.handle(s.getManifest))
	mux.Handle("GET /taxii2/root/collections/{id}/objects/{$}", s.handle(s.getObjects))
	mux.Handle("POST /taxii2/root/collections/{id}/objects/{$}", s.handle(s.addObjects))
	mux.Handle("GET /taxii2/root/collections/{id}/objects/{object_id}/{$}", s.handle(s.getObject))
	mux.Handle("DELETE /taxii2/root/collections/{id}/objects/{object_id}/{$}", s.handle(s.deleteObject))
	mux.Handle("GET /taxii2/root/collections/{id}/objects/{object_id}/versions/{$}", s.handle(s.getVersions))
}
