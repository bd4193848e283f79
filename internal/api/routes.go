package api

import "net/http"

// Routes registers the API's endpoints on mux.
func (s *Server) Routes(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/charter", s.handle(s.getCharter))
	mux.Handle("GET /api/v1/situations", s.handle(s.listSituations))
	mux.Handle("POST /api/v1/situations", s.handle(s.raiseAlert))
	mux.Handle("GET /api/v1/situations/{id}", s.handle(s.getSituation))
	mux.Handle("POST /api/v1/situations/{id}/actions/{action}", s.handle(s.act))
	mux.Handle("GET /api/v1/situations/{id}/kpi", s.handle(s.getSituationKPI))
	mux.Handle("GET /api/v1/situations/{id}/clock", s.handle(s.getClock))
	mux.Handle("GET /api/v1/kpi", s.handle(s.listKPI))
	mux.Handle("GET /api/v1/notifications", s.handle(s.listNotifications))
	mux.Handle("GET /api/v1/replay/2022", s.handle(s.getReplay))
	// Anything else under the API is a JSON 404, not the mux's text one.
	mux.Handle("/api/", s.handle(s.notFound))
}
