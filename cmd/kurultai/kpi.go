package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/kurultai"
)

const kpiUsage = `kpi [--data DIR | --database URL] [--format table|json] [--situation ID] [--as CODE] [--charter FILE]

Prints, for each situation, the charter's KPIs (by default: onset to
consultation opened, to the first statement adopted, to the first
ministerial meeting held, and an assistance request to its first answer)
and the share of deadlines met. Reads the node's store, which may be
serving, as participant --as (default: the secretariat) through the same
access decision as every other exit, and records the read in the audit log.`

// kpiStore is what the kpi command needs of a store.
type kpiStore interface {
	kurultai.ObjectStore
	kurultai.Auditor
}

// kpiReport is the KPIs of one situation, as the json format prints them.
type kpiReport struct {
	Situation string      `json:"situation"`
	Title     string      `json:"title"`
	Onset     time.Time   `json:"onset"`
	Mode      string      `json:"mode"`
	Charter   string      `json:"charter_version"`
	KPIs      []kpiValue  `json:"kpis"`
	Deadlines kpiDeadline `json:"deadlines"`
}

type kpiValue struct {
	ID      string     `json:"id"`
	Title   string     `json:"title"`
	From    *time.Time `json:"from,omitempty"`
	To      *time.Time `json:"to,omitempty"`
	Seconds *float64   `json:"seconds,omitempty"` // absent until reached
}

type kpiDeadline struct {
	Met     int      `json:"met"`
	Missed  int      `json:"missed"`
	Pending int      `json:"pending"`
	Void    int      `json:"void"`
	Share   *float64 `json:"share_met,omitempty"` // absent while nothing has fallen due
}

func runKPI(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("kpi", kpiUsage, stderr)
	data := fs.String("data", dataDefault(env), "data `directory` of the node (env KURULTAI_DATA)")
	database := databaseFlag(fs, env)
	format := fs.String("format", "table", "output `format`: table or json")
	situation := fs.String("situation", "", "only the situation with this `id`")
	as := fs.String("as", "", "read as this participant `code` (default: the charter's secretariat)")
	charterFile := fs.String("charter", env("KURULTAI_CHARTER"), "charter `file` (env KURULTAI_CHARTER); empty: the default charter")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if *format != "table" && *format != "json" {
		return fmt.Errorf("--format: %q is not table or json", *format)
	}
	ch, err := loadCharter(*charterFile)
	if err != nil {
		return err
	}
	p, err := kpiPrincipal(ch, *as)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, *data, *database)
	if err != nil {
		return err
	}
	defer st.Close()
	reports, err := kpiReports(ctx, st, ch, p, crisis.CollectionID, *situation, time.Now())
	if err != nil {
		return err
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(reports)
	}
	return kpiTable(stdout, ch, reports)
}

// kpiPrincipal is the principal the command reads as: a liaison of a
// member or observer, or an officer of the secretariat.
func kpiPrincipal(ch *charter.Charter, code string) (kurultai.Principal, error) {
	if code == "" {
		secs := ch.Codes(kurultai.KindSecretariat)
		if len(secs) == 0 {
			return kurultai.Principal{}, fmt.Errorf("--as: the charter has no secretariat; name a participant")
		}
		code = secs[0]
	}
	part, ok := ch.Participant(code)
	if !ok {
		return kurultai.Principal{}, fmt.Errorf("--as: %q is not a participant of charter %s", code, ch.Version)
	}
	role := kurultai.RoleLiaison
	if part.Kind == kurultai.KindSecretariat {
		role = kurultai.RoleSecretariat
	}
	return kurultai.Principal{Username: "cli", Participant: code, Kind: part.Kind, Role: role}, nil
}

// kpiReports derives every situation p may see in the collection (or
// only one) at now and returns their KPIs, oldest situation first.
func kpiReports(ctx context.Context, st kpiStore, ch *charter.Charter, p kurultai.Principal, collection, only string, now time.Time) ([]kpiReport, error) {
	known, err := st.Markings(ctx)
	if err != nil {
		return nil, err
	}
	markings := access.NewMarkings(known...)
	m := crisis.New(ch, nil)
	var seen, withheld int
	recs, _, err := m.Load(ctx, st, collection, func(v *kurultai.ObjectVersion) bool {
		ok := access.Decide(p, v, markings)
		if ok {
			seen++
		} else {
			withheld++
		}
		return ok
	})
	if err != nil {
		return nil, err
	}
	err = st.AppendAudit(ctx, kurultai.AuditEntry{
		Time: now, Username: p.Username, Participant: p.Participant, Action: "crisis.kpi",
		Query: "collection=" + collection, Decision: kurultai.DecisionAllow,
		Detail: fmt.Sprintf("%d versions read, %d withheld", seen, withheld),
	})
	if err != nil {
		return nil, err
	}
	reports := []kpiReport{}
	for _, id := range crisis.Situations(recs) {
		if only != "" && id != only {
			continue
		}
		s, err := m.Derive(id, recs, now)
		if err != nil {
			return nil, err
		}
		reports = append(reports, newKPIReport(s))
	}
	if only != "" && len(reports) == 0 {
		return nil, fmt.Errorf("--situation: no situation %q that %s may see", only, p.Participant)
	}
	return reports, nil
}

func newKPIReport(s *crisis.State) kpiReport {
	r := kpiReport{Situation: s.ID, Title: s.Situation.Title, Onset: s.Situation.Onset.Time, Mode: s.Mode, Charter: s.CharterVersion}
	for _, k := range s.KPIs {
		v := kpiValue{ID: k.ID, Title: k.Title}
		if !k.From.IsZero() {
			v.From = &k.From
		}
		if k.Reached {
			secs := k.Elapsed.Seconds()
			v.To, v.Seconds = &k.To, &secs
		}
		r.KPIs = append(r.KPIs, v)
	}
	sc := s.Score
	r.Deadlines = kpiDeadline{Met: sc.Met, Missed: sc.Missed, Pending: sc.Pending, Void: sc.Void}
	if sc.Share >= 0 {
		share := sc.Share
		r.Deadlines.Share = &share
	}
	return r
}

func kpiTable(w io.Writer, ch *charter.Charter, reports []kpiReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := []string{"SITUATION", "ONSET", "MODE"}
	for _, k := range ch.KPIs {
		head = append(head, strings.ToUpper(k.ID))
	}
	head = append(head, "DEADLINES MET")
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, r := range reports {
		row := []string{r.Title, r.Onset.UTC().Format("2006-01-02 15:04"), r.Mode}
		for _, k := range r.KPIs {
			switch {
			case k.Seconds != nil:
				row = append(row, crisis.FormatElapsed(time.Duration(*k.Seconds*float64(time.Second))))
			case k.From == nil:
				row = append(row, "-")
			default:
				row = append(row, "not yet")
			}
		}
		met := "-"
		if d := r.Deadlines; d.Share != nil {
			met = fmt.Sprintf("%.0f%% (%d of %d)", *d.Share*100, d.Met, d.Met+d.Missed)
		}
		fmt.Fprintln(tw, strings.Join(append(row, met), "\t"))
	}
	if len(reports) == 0 {
		fmt.Fprintln(tw, "(no situations)")
	}
	return tw.Flush()
}
