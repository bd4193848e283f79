package web

import "net/http"

// Routes registers the pages on mux: the pages at /, the assets under
// /static/ and the live event stream at /events.
func (s *Server) Routes(mux *http.ServeMux) {
	mux.Handle("GET /static/", s.secure(http.StripPrefix("/static/", s.static)))
	mux.Handle("GET /login", s.secure(http.HandlerFunc(s.loginForm)))
	mux.Handle("POST /login", s.secure(http.HandlerFunc(s.login)))
	mux.Handle("POST /logout", s.page(s.logout))
	mux.Handle("GET /settings", s.page(s.settingsForm))
	mux.Handle("POST /settings", s.page(s.saveSettings))

	mux.Handle("GET /{$}", s.page(s.desk))
	mux.Handle("GET /situations/new", s.page(s.newSituationForm))
	mux.Handle("POST /situations", s.page(s.raiseAlert))
	mux.Handle("GET /situations/{id}", s.page(s.situationRoom))
	mux.Handle("GET /situations/{id}/statements/{draft}", s.page(s.statement))
	mux.Handle("GET /situations/{id}/assistance", s.page(s.assistance))
	mux.Handle("GET /situations/{id}/meetings", s.page(s.meetings))
	mux.Handle("POST /situations/{id}/actions/{action}", s.page(s.act))

	mux.Handle("GET /intel", s.page(s.intel))
	mux.Handle("GET /intel/{id}", s.page(s.object))
	mux.Handle("GET /early-warning", s.page(s.earlyWarning))
	mux.Handle("GET /audit", s.page(s.auditPage))
	mux.Handle("GET /admin", s.page(s.admin))
	mux.Handle("GET /events", s.page(s.events))
}
