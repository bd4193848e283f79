package web

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/kurultai/kurultai/internal/crisis"
)

// The colours of the charts: dark enough on white for text (WCAG AA).
const (
	colAxis    = "#4a5568"
	colTarget  = "#c3d3ea"
	colMet     = "#1f7a3a"
	colMissed  = "#b42318"
	colPending = "#1d4f91"
	colBase    = "#7a4b00"
	colNow     = "#111827"
)

// clockSVG draws the situation clock: for each charter deadline (its first
// instance), the window from start to due, the moment it was met (green
// in time, red late) or where it stands now, and the 2022 baseline of the
// same step counted from this situation's onset (a brown diamond).
func clockSVG(m *crisis.Mechanism, st *crisis.State, now time.Time, l *localizer) template.HTML {
	onset := st.Situation.Onset.Time
	type row struct {
		title       string
		start, due  time.Time
		met         time.Time
		status      string
		baseline    time.Duration
		hasBaseline bool
	}
	base := map[string]time.Duration{}
	for _, c := range m.Compare2022() {
		if !c.Historical.IsZero() {
			base[c.Deadline] = c.Historical.Sub(crisis.Onset2022)
		}
	}
	seen := map[string]bool{}
	var rows []row
	for _, d := range st.Deadlines {
		if seen[d.Deadline] {
			continue
		}
		seen[d.Deadline] = true
		b, ok := base[d.Deadline]
		rows = append(rows, row{title: d.Title, start: d.Start, due: d.Due, met: d.MetAt, status: d.Status, baseline: b, hasBaseline: ok})
	}
	end := now
	if st.Final && len(st.History) > 0 {
		end = st.History[len(st.History)-1].At
	}
	for _, r := range rows {
		end = later(end, r.due, r.met)
		if r.hasBaseline {
			end = later(end, onset.Add(r.baseline))
		}
	}
	span := end.Sub(onset)
	if span <= 0 {
		span = time.Hour
	}
	span += span / 20
	const left, width, rowH, top = 230, 520, 24, 28
	h := top + rowH*len(rows) + 30
	x := func(t time.Time) float64 {
		return left + float64(width)*float64(t.Sub(onset))/float64(span)
	}
	var b strings.Builder
	title := template.HTMLEscapeString(l.T("clock.title"))
	fmt.Fprintf(&b, `<svg class="clock" role="img" aria-labelledby="clock-t" viewBox="0 0 %d %d" width="100%%" xmlns="http://www.w3.org/2000/svg"><title id="clock-t">%s</title>`,
		left+width+20, h, title)
	// Day ticks.
	days := int(span / (24 * time.Hour))
	step := max(1, days/8)
	for d := 0; d <= days; d += step {
		tx := x(onset.Add(time.Duration(d) * 24 * time.Hour))
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#e2e8f0"/>`, tx, top-6, tx, h-24)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" fill="%s" text-anchor="middle">T0+%d%s</text>`, tx, h-8, colAxis, d, template.HTMLEscapeString(l.T("unit.d")))
	}
	for i, r := range rows {
		y := top + i*rowH
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" fill="#1a202c" text-anchor="end">%s</text>`, left-8, y+14, template.HTMLEscapeString(excerpt(r.title, 34)))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="12" fill="%s" rx="2"><title>%s</title></rect>`,
			x(r.start), y+4, max(1, x(r.due)-x(r.start)), colTarget, template.HTMLEscapeString(l.T("clock.window")))
		switch {
		case !r.met.IsZero():
			col := colMet
			if r.met.After(r.due) {
				col = colMissed
			}
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%d" r="6" fill="%s"><title>%s</title></circle>`, x(r.met), y+10, col, template.HTMLEscapeString(l.Word("status", r.status)))
		case r.status == crisis.DueMissed:
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-width="3"/>`, x(r.due), y+10, x(end), y+10, colMissed)
		case r.status == crisis.DuePending:
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-width="3"/>`, x(r.start), y+10, x(now), y+10, colPending)
		}
		if r.hasBaseline {
			bx := x(onset.Add(r.baseline))
			fmt.Fprintf(&b, `<path d="M%.1f %dl6 6-6 6-6-6z" fill="%s"><title>%s</title></path>`, bx, y+4, colBase, template.HTMLEscapeString(l.T("clock.baseline")))
		}
	}
	nx := x(now)
	if now.Before(end.Add(time.Nanosecond)) {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-dasharray="4 3"/>`, nx, top-10, nx, h-24, colNow)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" fill="%s" text-anchor="middle">%s</text>`, nx, top-12, colNow, template.HTMLEscapeString(l.T("clock.now")))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func later(t time.Time, ts ...time.Time) time.Time {
	for _, u := range ts {
		if u.After(t) {
			t = u
		}
	}
	return t
}

// sparkline draws counts as a small line chart with a label for screen
// readers (early-warning stories' growth, a situation's activity).
func sparkline(counts []int, label string) template.HTML {
	const w, h = 120, 24
	if len(counts) < 2 {
		return ""
	}
	top := 1
	total := 0
	for _, c := range counts {
		top = max(top, c)
		total += c
	}
	var pts strings.Builder
	for i, c := range counts {
		fmt.Fprintf(&pts, "%.1f,%.1f ", float64(i)*w/float64(len(counts)-1), h-2-float64(c)*(h-4)/float64(top))
	}
	return template.HTML(fmt.Sprintf(`<svg class="spark" role="img" viewBox="0 0 %d %d" width="%d" height="%d" xmlns="http://www.w3.org/2000/svg"><title>%s: %d</title><polyline fill="none" stroke="%s" stroke-width="1.5" points="%s"/></svg>`,
		w, h, w, h, template.HTMLEscapeString(label), total, colPending, strings.TrimSpace(pts.String())))
}
