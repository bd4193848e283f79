package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // users' time zones on hosts without a zoneinfo database

	"golang.org/x/text/language"
)

//go:embed catalog/*.json
var catalogFS embed.FS

// languages are the catalogs, the first the fallback.
var languages = []string{"en", "tr", "ru"}

// catalogs holds the message catalogs and the matcher that picks one.
type catalogs struct {
	msgs    map[string]map[string]string
	matcher language.Matcher
}

// loadCatalogs reads every catalog and checks that each has exactly the
// keys of the English one.
func loadCatalogs() (*catalogs, error) {
	c := &catalogs{msgs: map[string]map[string]string{}}
	tags := make([]language.Tag, len(languages))
	for i, lang := range languages {
		data, err := catalogFS.ReadFile("catalog/" + lang + ".json")
		if err != nil {
			return nil, fmt.Errorf("web: catalog %s: %w", lang, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("web: catalog %s: %w", lang, err)
		}
		c.msgs[lang] = m
		tags[i] = language.MustParse(lang)
	}
	for _, lang := range languages[1:] {
		for k := range c.msgs["en"] {
			if _, ok := c.msgs[lang][k]; !ok {
				return nil, fmt.Errorf("web: catalog %s: missing %q", lang, k)
			}
		}
		for k := range c.msgs[lang] {
			if _, ok := c.msgs["en"][k]; !ok {
				return nil, fmt.Errorf("web: catalog %s: %q is not in the English catalog", lang, k)
			}
		}
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

// localizer renders messages, times and durations for one user.
type localizer struct {
	Lang string
	msgs map[string]string
	en   map[string]string
	tz   *time.Location
	now  time.Time
}

// localizer picks the user's language (the cookie, else Accept-Language)
// and time zone (the cookie the script sets from the browser, else UTC).
func (s *Server) localizer(r *http.Request) *localizer {
	lang := ""
	if c, err := r.Cookie(langCookie); err == nil && slices.Contains(languages, c.Value) {
		lang = c.Value
	}
	if lang == "" {
		tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
		_, i, conf := s.cat.matcher.Match(tags...)
		lang = languages[0]
		if conf != language.No {
			lang = languages[i]
		}
	}
	tz := time.UTC
	if c, err := r.Cookie(tzCookie); err == nil && c.Value != "" && len(c.Value) < 64 {
		if v, err := urlUnescape(c.Value); err == nil {
			if loc, err := time.LoadLocation(v); err == nil {
				tz = loc
			}
		}
	}
	return &localizer{Lang: lang, msgs: s.cat.msgs[lang], en: s.cat.msgs["en"], tz: tz, now: s.clock()}
}

// T returns the message for key with args formatted in (fmt verbs); a
// missing key shows itself, which the catalog test prevents.
func (l *localizer) T(key string, args ...any) string {
	m, ok := l.msgs[key]
	if !ok {
		if m, ok = l.en[key]; !ok {
			return key
		}
	}
	if len(args) == 0 {
		return m
	}
	return fmt.Sprintf(m, args...)
}

// Has reports whether the catalog has key (for optional texts such as a
// charter action's name).
func (l *localizer) Has(key string) bool { _, ok := l.en[key]; return ok }

// Zone names the user's time zone.
func (l *localizer) Zone() string { return l.tz.String() }

// UTC reports whether the user's time zone is UTC.
func (l *localizer) UTC() bool { return l.tz == time.UTC }

// Time formats t in the user's zone and, if that is not UTC, in UTC too.
func (l *localizer) Time(t time.Time) template.HTML {
	if t.IsZero() {
		return "—"
	}
	utc := t.UTC().Format("2006-01-02 15:04")
	iso := t.UTC().Format(time.RFC3339)
	if l.tz == time.UTC {
		return template.HTML(fmt.Sprintf(`<time datetime="%s">%s UTC</time>`, iso, utc))
	}
	local := t.In(l.tz)
	return template.HTML(fmt.Sprintf(`<time datetime="%s">%s %s <span class="utc">(%s UTC)</span></time>`,
		iso, local.Format("2006-01-02 15:04"), template.HTMLEscapeString(local.Format("MST")), utc))
}

// Duration formats d as "4d 3h", "11h 20m" or "5m", with the language's
// unit letters.
func (l *localizer) Duration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	dU, hU, mU := l.T("unit.d"), l.T("unit.h"), l.T("unit.m")
	switch {
	case days > 0 && hours == 0:
		return fmt.Sprintf("%d%s", days, dU)
	case days > 0:
		return fmt.Sprintf("%d%s %d%s", days, dU, hours, hU)
	case hours > 0 && mins == 0:
		return fmt.Sprintf("%d%s", hours, hU)
	case hours > 0:
		return fmt.Sprintf("%d%s %d%s", hours, hU, mins, mU)
	}
	return fmt.Sprintf("%d%s", mins, mU)
}

// Since formats the time from t to now.
func (l *localizer) Since(t time.Time) string { return l.Duration(l.now.Sub(t)) }

// Countdown renders a due time as "in 3h 20m" or "overdue by 2d 1h", with
// the due time for the script to keep it current.
func (l *localizer) Countdown(due time.Time) template.HTML {
	d := due.Sub(l.now)
	cls, text := "due", l.T("due.in", l.Duration(d))
	if d <= 0 {
		cls, text = "overdue", l.T("due.overdue", l.Duration(d))
	}
	return template.HTML(fmt.Sprintf(`<span class="countdown %s" data-due="%s">%s</span>`,
		cls, due.UTC().Format(time.RFC3339), template.HTMLEscapeString(text)))
}

// Word returns the message for a vocabulary word (a mode, a status, an
// action) under prefix, or the word itself with underscores as spaces.
func (l *localizer) Word(prefix, word string) string {
	if l.Has(prefix + "." + word) {
		return l.T(prefix + "." + word)
	}
	return strings.ReplaceAll(word, "_", " ")
}
