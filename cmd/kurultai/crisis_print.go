package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"
)

// The parts of the API's answers the crisis command prints.
type (
	cDeadline struct {
		ID     string     `json:"id"`
		Title  string     `json:"title"`
		Owner  string     `json:"owner"`
		Due    time.Time  `json:"due"`
		Status string     `json:"status"`
		MetAt  *time.Time `json:"met_at"`
	}
	cElapsed struct {
		Seconds int64  `json:"seconds"`
		Text    string `json:"text"`
	}
	cSummary struct {
		ID             string      `json:"id"`
		Title          string      `json:"title"`
		Onset          time.Time   `json:"onset"`
		Affected       []string    `json:"affected"`
		Mode           string      `json:"mode"`
		RaisedBy       string      `json:"raised_by"`
		RaisedAt       time.Time   `json:"raised_at"`
		CharterVersion string      `json:"charter_version"`
		SinceOnset     cElapsed    `json:"since_onset"`
		NextDeadlines  []cDeadline `json:"next_deadlines"`
		Overdue        int         `json:"overdue"`
	}
	cRecord struct {
		ID   string    `json:"id"`
		By   string    `json:"by"`
		At   time.Time `json:"at"`
		Text string    `json:"text"`
	}
	cState struct {
		cSummary
		Roles   []string `json:"roles"`
		Actions []struct {
			Action  string `json:"action"`
			Role    string `json:"role"`
			Targets []struct {
				ID      string   `json:"id"`
				Options []string `json:"options"`
			} `json:"targets"`
		} `json:"actions"`
		Consent struct {
			Status string `json:"status"`
			Path   string `json:"path"`
		} `json:"consent"`
		Drafts []struct {
			ID       string `json:"id"`
			By       string `json:"by"`
			Versions []struct {
				Version string `json:"version"`
				Title   string `json:"title"`
			} `json:"versions"`
		} `json:"drafts"`
		Silences []struct {
			ID      string    `json:"id"`
			Draft   string    `json:"draft"`
			Expires time.Time `json:"expires"`
			Status  string    `json:"status"`
			Breaks  []cRecord `json:"breaks"`
			Late    []cRecord `json:"late"`
		} `json:"silences"`
		Meetings []struct {
			ID      string    `json:"id"`
			Level   string    `json:"level"`
			Start   time.Time `json:"start"`
			Held    bool      `json:"held"`
			Quorum  bool      `json:"quorum"`
			Present []string  `json:"present"`
		} `json:"meetings"`
		Assistance []struct {
			ID      string `json:"id"`
			By      string `json:"by"`
			Message string `json:"message"`
			Status  string `json:"status"`
			Totals  []struct {
				Item      string `json:"item"`
				Unit      string `json:"unit"`
				Requested int64  `json:"requested"`
				Pledged   int64  `json:"pledged"`
				Delivered int64  `json:"delivered"`
			} `json:"totals"`
		} `json:"assistance"`
		Deadlines []cDeadline `json:"deadlines"`
		KPIs      []cKPI      `json:"kpis"`
	}
	cKPI struct {
		ID      string    `json:"id"`
		Title   string    `json:"title"`
		Elapsed *cElapsed `json:"elapsed"`
	}
)

// printer writes tables, or the API's JSON as it came.
type printer struct {
	w    io.Writer
	json bool
}

func (p *printer) raw(data json.RawMessage) error {
	var b strings.Builder
	b.Write(data)
	_, err := fmt.Fprintln(p.w, b.String())
	return err
}

func (p *printer) table(f func(tw *tabwriter.Writer)) error {
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
	f(tw)
	return tw.Flush()
}

func when(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") }

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (c *crisisClient) list(ctx context.Context, p *printer) error {
	var raw json.RawMessage
	if err := c.do(ctx, "GET", "/api/v1/situations?limit=1000", nil, &raw); err != nil {
		return err
	}
	if p.json {
		return p.raw(raw)
	}
	var v struct {
		Situations []cSummary `json:"situations"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	return p.table(func(tw *tabwriter.Writer) {
		fmt.Fprintln(tw, "ID\tTITLE\tMODE\tAFFECTED\tONSET (UTC)\tSINCE ONSET\tNEXT DEADLINE\tOVERDUE")
		for _, s := range v.Situations {
			next := "-"
			if len(s.NextDeadlines) > 0 {
				d := s.NextDeadlines[0]
				next = d.Title + ", " + when(d.Due)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", s.ID, s.Title, s.Mode, strings.Join(s.Affected, ","), when(s.Onset), s.SinceOnset.Text, next, s.Overdue)
		}
		if len(v.Situations) == 0 {
			fmt.Fprintln(tw, "(no situation you may see)")
		}
	})
}

func (c *crisisClient) show(ctx context.Context, p *printer, id string) error {
	var raw json.RawMessage
	if err := c.do(ctx, "GET", "/api/v1/situations/"+url.PathEscape(id), nil, &raw); err != nil {
		return err
	}
	if p.json {
		return p.raw(raw)
	}
	var s cState
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	return printState(p.w, &s)
}

func printState(w io.Writer, s *cState) error {
	fmt.Fprintf(w, "%s\n%s\n\n", s.Title, s.ID)
	fmt.Fprintf(w, "Mode:      %s\nOnset:     %s UTC (%s ago)\nAffected:  %s\nRaised:    by %s at %s UTC, charter %s\nConsent:   %s (%s)\nYou act as: %s\n",
		s.Mode, when(s.Onset), s.SinceOnset.Text, strings.Join(s.Affected, ", "), s.RaisedBy, when(s.RaisedAt), s.CharterVersion,
		s.Consent.Status, strings.ReplaceAll(s.Consent.Path, "_", " "), dash(strings.Join(s.Roles, ", ")))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	section := func(title, head string) { fmt.Fprintf(tw, "\n%s\n%s\n", title, head) }
	section("DEADLINES", "ID\tTITLE\tOWNER\tDUE (UTC)\tSTATUS\tMET")
	for _, d := range s.Deadlines {
		met := "-"
		if d.MetAt != nil {
			met = when(*d.MetAt)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.Title, d.Owner, when(d.Due), d.Status, met)
	}
	if len(s.Drafts) > 0 {
		section("DRAFTS", "ID\tBY\tVERSIONS\tLATEST TITLE")
		for _, d := range s.Drafts {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", d.ID, d.By, len(d.Versions), d.Versions[len(d.Versions)-1].Title)
		}
	}
	if len(s.Silences) > 0 {
		section("SILENCE PROCEDURES", "ID\tDRAFT\tEXPIRES (UTC)\tSTATUS\tBROKEN BY\tLATE")
		for _, sp := range s.Silences {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", sp.ID, sp.Draft, when(sp.Expires), sp.Status, dash(byList(sp.Breaks)), dash(byList(sp.Late)))
		}
	}
	if len(s.Meetings) > 0 {
		section("MEETINGS", "ID\tLEVEL\tSTART (UTC)\tHELD\tQUORUM\tPRESENT")
		for _, m := range s.Meetings {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%v\t%s\n", m.ID, m.Level, when(m.Start), m.Held, m.Quorum, dash(strings.Join(m.Present, ",")))
		}
	}
	if len(s.Assistance) > 0 {
		section("ASSISTANCE", "ID\tBY\tMESSAGE\tSTATUS\tREQUESTED / PLEDGED / DELIVERED")
		for _, a := range s.Assistance {
			var ts []string
			for _, t := range a.Totals {
				ts = append(ts, fmt.Sprintf("%s %d/%d/%d%s", t.Item, t.Requested, t.Pledged, t.Delivered, strings.TrimSpace(" "+t.Unit)))
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.ID, a.By, a.Message, a.Status, strings.Join(ts, "; "))
		}
	}
	section("KPIS", "KPI\tELAPSED")
	for _, k := range s.KPIs {
		e := "not yet"
		if k.Elapsed != nil {
			e = k.Elapsed.Text
		}
		fmt.Fprintf(tw, "%s\t%s\n", k.Title, e)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nYOU MAY NOW")
	if len(s.Actions) == 0 {
		fmt.Fprintln(w, "  (nothing)")
	}
	for _, a := range s.Actions {
		fmt.Fprintf(w, "  %s (as %s)\n", a.Action, a.Role)
		for _, t := range a.Targets {
			opts := ""
			if len(t.Options) > 0 {
				opts = " [" + strings.Join(t.Options, ", ") + "]"
			}
			fmt.Fprintf(w, "      %s%s\n", t.ID, opts)
		}
	}
	return nil
}

func byList(rs []cRecord) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.By)
	}
	return strings.Join(out, ",")
}

func (c *crisisClient) act(ctx context.Context, p *printer, sit, action string, body []byte) error {
	if !json.Valid(body) {
		return fmt.Errorf("--json: the parameters are not valid JSON: %s", clipText(string(body)))
	}
	path := "/api/v1/situations"
	if action != "raise_alert" {
		path += "/" + url.PathEscape(sit) + "/actions/" + url.PathEscape(action)
	}
	var raw json.RawMessage
	if err := c.do(ctx, "POST", path, body, &raw); err != nil {
		return err
	}
	if p.json {
		return p.raw(raw)
	}
	var v struct {
		Situation string `json:"situation"`
		Records   []struct {
			ID   string `json:"id"`
			Type string `json:"type"`
		} `json:"records"`
		Notified int     `json:"notified"`
		State    *cState `json:"state"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	for _, r := range v.Records {
		fmt.Fprintf(p.w, "%s: stored %s\n", action, r.ID)
	}
	fmt.Fprintf(p.w, "Situation %s", v.Situation)
	if v.State != nil {
		fmt.Fprintf(p.w, " is in mode %s", v.State.Mode)
	}
	fmt.Fprintf(p.w, "; %d notification(s) sent.\n", v.Notified)
	return nil
}

func (c *crisisClient) notifications(ctx context.Context, p *printer, since string) error {
	q := url.Values{"limit": {"1000"}}
	if since != "" {
		q.Set("since", since)
	}
	var raw json.RawMessage
	if err := c.do(ctx, "GET", "/api/v1/notifications?"+q.Encode(), nil, &raw); err != nil {
		return err
	}
	if p.json {
		return p.raw(raw)
	}
	var v struct {
		Notifications []struct {
			At        time.Time `json:"at"`
			Kind      string    `json:"kind"`
			Situation string    `json:"situation"`
			Text      string    `json:"text"`
		} `json:"notifications"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	return p.table(func(tw *tabwriter.Writer) {
		fmt.Fprintln(tw, "AT (UTC)\tKIND\tSITUATION\tMESSAGE")
		for _, n := range v.Notifications {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", when(n.At), n.Kind, n.Situation, n.Text)
		}
		if len(v.Notifications) == 0 {
			fmt.Fprintln(tw, "(none)")
		}
	})
}

func (c *crisisClient) kpi(ctx context.Context, p *printer, id string) error {
	path := "/api/v1/kpi?limit=1000"
	if id != "" {
		path = "/api/v1/situations/" + url.PathEscape(id) + "/kpi"
	}
	var raw json.RawMessage
	if err := c.do(ctx, "GET", path, nil, &raw); err != nil {
		return err
	}
	if p.json {
		return p.raw(raw)
	}
	type report struct {
		Situation string `json:"situation"`
		Title     string `json:"title"`
		Mode      string `json:"mode"`
		KPIs      []cKPI `json:"kpis"`
		Score     struct {
			Met    int      `json:"met"`
			Missed int      `json:"missed"`
			Share  *float64 `json:"share_met"`
		} `json:"score"`
	}
	var reports []report
	if id != "" {
		var r report
		if err := json.Unmarshal(raw, &r); err != nil {
			return err
		}
		reports = append(reports, r)
	} else {
		var v struct {
			Situations []report `json:"situations"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		reports = v.Situations
	}
	return p.table(func(tw *tabwriter.Writer) {
		fmt.Fprintln(tw, "SITUATION\tMODE\tKPI\tELAPSED\tDEADLINES MET")
		for _, r := range reports {
			met := "-"
			if r.Score.Share != nil {
				met = fmt.Sprintf("%.0f%% (%d of %d)", *r.Score.Share*100, r.Score.Met, r.Score.Met+r.Score.Missed)
			}
			for i, k := range r.KPIs {
				e := "not yet"
				if k.Elapsed != nil {
					e = k.Elapsed.Text
				}
				title, mode, m := r.Title, r.Mode, met
				if i > 0 {
					title, mode, m = "", "", ""
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", title, mode, k.Title, e, m)
			}
		}
		if len(reports) == 0 {
			fmt.Fprintln(tw, "(no situation you may see)")
		}
	})
}

func clipText(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}
