package api

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/crisis/clock"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/stix"
)

// Notification windows.
const (
	// DefaultNotificationWindow is how far back GET /notifications looks
	// without ?since= or ?after=.
	DefaultNotificationWindow = 7 * 24 * time.Hour
	// MaxNotificationWindow is the furthest back it looks.
	MaxNotificationWindow = 31 * 24 * time.Hour
	// maxClockSteps bounds the clock instants evaluated per situation (the
	// latest are kept).
	maxClockSteps = 2000
)

// notificationsView is the answer of GET /api/v1/notifications.
type notificationsView struct {
	// From is the start of the window the list covers.
	From          time.Time       `json:"from"`
	Now           time.Time       `json:"now"`
	Notifications []clock.Message `json:"notifications"`
	// Next, when set, is the ?after= of the next page.
	Next string `json:"next,omitempty"`
	// Partial reports a situation whose clock had too many points in the
	// window to replay them all; ask for a shorter window.
	Partial bool `json:"partial,omitempty"`
}

// listNotifications lists the notifications addressed to p (its
// participant, and its mechanism role where a notification is for one
// role) about the situations it may see, oldest first. They are derived
// from the records p may see, as the API and the clock worker publish
// them: an announcement per record, and what crisis.Due owed at each
// point of the clock in the window. Parameters: since (a timestamp,
// inclusive), after (the previous page's next), situation, limit.
func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request, p kurultai.Principal) error {
	ctx := r.Context()
	q := r.URL.Query()
	limit, err := limitParam(q)
	if err != nil {
		return err
	}
	since, err := timeParam(q, "since")
	if err != nil {
		return err
	}
	afterAt, afterID, err := parseCursor(q.Get("after"))
	if err != nil {
		return err
	}
	only := q.Get("situation")
	if err := s.refresh(ctx); err != nil {
		return err
	}
	now := s.clock()
	from := now.Add(-DefaultNotificationWindow)
	switch {
	case !afterAt.IsZero():
		from = afterAt
	case !since.IsZero():
		from = since
	}
	from = later(from, now.Add(-MaxNotificationWindow))
	out := notificationsView{From: from.UTC(), Now: now.UTC(), Notifications: []clock.Message{}}
	var all []crisis.Notification
	var refs []kurultai.ObjectRef
	read, withheld := 0, 0
	for _, id := range s.idx.Situations() {
		if only != "" && id != only {
			continue
		}
		v := s.visible(p, id)
		read, withheld = read+len(v.refs), withheld+v.withheld
		notes, partial, err := s.notesFor(p, id, v.records, from, now)
		if kurultai.ErrorCode(err) == kurultai.CodeNotFound {
			continue
		}
		if err != nil {
			return err
		}
		out.Partial = out.Partial || partial
		all = append(all, notes...)
		refs = append(refs, kurultai.ObjectRef{ID: id})
	}
	slices.SortFunc(all, func(a, b crisis.Notification) int { return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.ID, b.ID)) })
	for _, n := range all {
		if n.At.Before(from) || !afterAt.IsZero() && !after(n, afterAt, afterID) {
			continue
		}
		if len(out.Notifications) == limit {
			last := out.Notifications[limit-1]
			out.Next = stix.FormatTime(last.At) + "|" + last.ID
			break
		}
		out.Notifications = append(out.Notifications, clock.NewMessage(n))
	}
	err = s.audit(ctx, p, kurultai.AuditEntry{Action: AuditNotificationsRead, Objects: refs, Query: r.URL.RawQuery,
		Detail: fmt.Sprintf("%d notifications listed: %d versions read, %d withheld", len(out.Notifications), read, withheld)})
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, out)
}

// notesFor derives the notifications for p about one situation, from the
// records p may see, that fell due in [from, now].
func (s *Server) notesFor(p kurultai.Principal, id string, recs []crisis.Record, from, now time.Time) (notes []crisis.Notification, partial bool, err error) {
	st, err := s.m.Derive(id, recs, now)
	if kurultai.ErrorCode(err) == kurultai.CodeNotFound {
		// p may not see the situation, but may see some of its records
		// (an observer sees adopted statements and the meetings it is
		// invited to): those are announced to it all the same.
		var out []crisis.Notification
		for _, r := range recs {
			for _, n := range s.m.Announce(nil, []crisis.Record{r}) {
				if n.To == p.Participant && n.Role == "" && !n.At.Before(from) && !slices.ContainsFunc(out, func(o crisis.Notification) bool { return o.ID == n.ID }) {
					out = append(out, n)
				}
			}
		}
		return out, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	roles := s.m.RolesOf(p, st.Affected())
	seen := map[string]bool{}
	var out []crisis.Notification
	keep := func(ns []crisis.Notification) {
		for _, n := range ns {
			if n.To != p.Participant || n.Role != "" && !slices.Contains(roles, n.Role) || n.At.Before(from) || seen[n.ID] {
				continue
			}
			seen[n.ID] = true
			out = append(out, n)
		}
	}
	// In time order, so that the records at one instant are in the state
	// as Derive orders them.
	sorted := slices.Clone(recs)
	slices.SortStableFunc(sorted, func(a, b crisis.Record) int { return a.Base().Modified.Compare(b.Base().Modified) })
	ignored := map[string]bool{}
	for _, ig := range st.Ignored {
		ignored[ig.ID+"@"+ig.Version] = true
	}
	// Announcements: each record, with the state it was decided on (never
	// to its writer). Only
	// a message about assistance depends on more than the record itself
	// (who had pledged by then), so only those derive the past state.
	for i, r := range sorted {
		b := r.Base()
		if b.Created.Before(from) || b.By == p.Participant || ignored[b.ID+"@"+b.Version] {
			continue
		}
		before := st
		if _, ok := r.(*crisis.AssistanceResponse); ok {
			if before, err = s.m.Derive(id, sorted[:i], b.Modified); err != nil {
				before = st
			}
		}
		keep(s.m.Announce(before, []crisis.Record{r}))
	}
	// The clock: what Due owed at each instant something could have
	// fallen due for p, from the later of from and the alert, to now.
	instants := s.instants(st, p, roles, later(from, st.Situation.Created), now)
	if len(instants) > maxClockSteps {
		instants, partial = instants[len(instants)-maxClockSteps:], true
	}
	n := 0
	for _, t := range instants {
		for n < len(sorted) && !sorted[n].Base().Modified.After(t) {
			n++
		}
		if t.Equal(now) && n == len(sorted) {
			keep(s.m.Due(st, now)) // derived above from the same records
		} else if at, err := s.m.Derive(id, sorted[:n], t); err == nil {
			keep(s.m.Due(at, t))
		}
	}
	return out, partial, nil
}

// instants returns, in order, the instants in [from, now] at which
// crisis.Due could owe p something new: the reminder points of the
// deadlines p's participant may own while they were not met; for the
// chair, each due time passed unmet, each late meeting of a deadline
// (which changes the overdue digest) and each silence expiry; for the
// chair's participant and the secretariat, the consent request's expiry;
// and now. Due, evaluated on the state derived at each instant, decides;
// this only spares the instants where nothing can be owed, which is what
// makes the list cheap. The points of each deadline instance come from
// crisis.Next on a state holding that instance alone.
func (s *Server) instants(st *crisis.State, p kurultai.Principal, roles []charter.Role, from, now time.Time) []time.Time {
	var out []time.Time
	add := func(t time.Time) {
		if !t.Before(from) && !t.After(now) {
			out = append(out, t)
		}
	}
	chair := slices.Contains(roles, charter.RoleChair)
	for _, d := range st.Deadlines {
		if s.mayOwn(st, p, roles, d.Owner) {
			one := &crisis.State{ID: st.ID, Situation: st.Situation, Now: d.Start, Deadlines: []crisis.DeadlineStatus{d}}
			one.Deadlines[0].Status = crisis.DuePending
			for t := d.Start; ; {
				t = s.m.Next(one, t)
				if t.IsZero() || t.After(now) || !d.MetAt.IsZero() && !d.MetAt.After(t) {
					break
				}
				add(t)
			}
		}
		if chair {
			if d.MetAt.IsZero() || d.MetAt.After(d.Due) {
				add(d.Due.Add(time.Nanosecond))
			}
			if d.MetAt.After(d.Due) {
				add(d.MetAt)
			}
		}
	}
	if chair {
		for _, sp := range st.Silences {
			add(sp.Expires)
		}
	}
	if r := st.Consent.Request; r != nil && (p.Participant == s.m.Charter.Chair.Participant || p.Kind == kurultai.KindSecretariat) {
		add(r.Expires.Time)
	}
	add(now)
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return slices.CompactFunc(out, func(a, b time.Time) bool { return a.Equal(b) })
}

// mayOwn reports whether p's participant could be an owner of a deadline
// (a superset: Due decides who is reminded).
func (s *Server) mayOwn(st *crisis.State, p kurultai.Principal, roles []charter.Role, owner charter.Role) bool {
	switch owner {
	case charter.RoleChair:
		return slices.Contains(roles, charter.RoleChair)
	case charter.RoleSecretariat:
		return p.Kind == kurultai.KindSecretariat
	case charter.RoleMember:
		return p.Kind == kurultai.KindMember
	case charter.RoleAffected:
		return slices.Contains(st.Affected(), p.Participant)
	case charter.RoleObserver:
		return p.Kind == kurultai.KindObserver
	}
	return true
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// parseCursor reads an ?after= cursor: "<timestamp>|<notification id>".
func parseCursor(c string) (time.Time, string, error) {
	if c == "" {
		return time.Time{}, "", nil
	}
	ts, id, ok := strings.Cut(c, "|")
	t, err := stix.ParseTime(ts)
	if !ok || err != nil || id == "" {
		return time.Time{}, "", kurultai.FieldError("after", "%q is not a cursor from a previous page's next", clip(c))
	}
	return t, id, nil
}

// after reports whether n comes after the cursor in (At, ID) order.
func after(n crisis.Notification, at time.Time, id string) bool {
	return n.At.After(at) || n.At.Equal(at) && n.ID > id
}
