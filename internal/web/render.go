package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/kurultai/kurultai/internal/ew/sources"
	"github.com/kurultai/kurultai/internal/kurultai"
)

//go:embed templates/*.html
var templateFS embed.FS

// templates holds one parsed set per page: the layout and the page.
type templates struct {
	pages map[string]*template.Template
}

var funcs = template.FuncMap{
	"join":  strings.Join,
	"lower": strings.ToLower,
	"add":   func(a, b int) int { return a + b },
	"pct": func(part, whole int64) int {
		if whole <= 0 {
			return 0
		}
		return int(min(100, part*100/whole))
	},
	"short": shortID,
	"dur":   func(d sources.Duration) time.Duration { return time.Duration(d) },
}

// shortID abbreviates a STIX id for display: its type and the first block
// of its UUID.
func shortID(id string) string {
	typ, uuid, ok := strings.Cut(id, "--")
	if !ok || len(uuid) < 8 {
		return id
	}
	return typ + "--" + uuid[:8]
}

// parseTemplates parses every page with the layout; an error fails New.
func parseTemplates() (*templates, error) {
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	t := &templates{pages: map[string]*template.Template{}}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		clone, err := layout.Clone()
		if err != nil {
			return nil, fmt.Errorf("web: templates: %w", err)
		}
		if _, err := clone.ParseFS(templateFS, n); err != nil {
			return nil, fmt.Errorf("web: templates: %w", err)
		}
		if clone.Lookup("main") == nil {
			return nil, fmt.Errorf("web: templates: %s defines no main", n)
		}
		t.pages[name] = clone
	}
	return t, nil
}

// view is what every page template gets.
type view struct {
	L     *localizer
	Title string
	Nav   string // the active navigation entry
	User  kurultai.Principal
	Admin bool
	CSRF  string
	Node  string
	Flash string
	Back  string // this page's path, for forms to come back to
	Data  any
}

// render executes a page into a buffer first, so that a template error
// becomes an error page rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, rq *request, status int, page, title, nav string, data any) error {
	v := view{L: rq.l, Title: title, Nav: nav, User: rq.p, Admin: rq.p.Role == kurultai.RoleAdmin,
		CSRF: rq.sess.csrf, Node: s.cfg.Title, Flash: rq.sess.takeFlash(), Back: r.URL.RequestURI(), Data: data}
	return s.execute(w, status, page, v)
}

func (s *Server) execute(w http.ResponseWriter, status int, page string, v view) error {
	t := s.tmpl.pages[page]
	if t == nil {
		return fmt.Errorf("web: no template %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("web: render %s: %w", page, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	if err != nil {
		return nil // the client went away; nothing to show
	}
	return nil
}

// renderError shows the error page (also to a browser that is not signed
// in, without the navigation).
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, l *localizer, status int, msg string) {
	v := view{L: l, Title: l.T("error.title"), Node: s.cfg.Title, Data: errorData{Status: status, Message: msg}}
	if sess, state, _ := s.sessions.lookup(r.Context(), sessionID(r), s.clock()); state == sessionLive {
		v.User, v.CSRF = sess.principal, sess.csrf
		v.Admin = sess.principal.Role == kurultai.RoleAdmin
	}
	if err := s.execute(w, status, "error", v); err != nil {
		s.log.Error("web: render error page", "err", err)
		http.Error(w, msg, status)
	}
}

type errorData struct {
	Status  int
	Message string
}
