package crisis

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/stix"
)

// reminder is one reminder point of a deadline instance.
type reminder struct {
	at    time.Time
	label string // "50%" or "1h-before"
}

// reminders returns the reminder points of a pending deadline instance
// that fall inside it, in time order.
func (m *Mechanism) reminders(ds DeadlineStatus) []reminder {
	dl, ok := m.deadline(ds.Deadline)
	if !ok {
		return nil
	}
	span := ds.Due.Sub(ds.Start)
	rs := m.Charter.EffectiveReminders(dl)
	var out []reminder
	for _, p := range rs.Percent {
		out = append(out, reminder{at: ds.Start.Add(span * time.Duration(p) / 100), label: strconv.Itoa(p) + "%"})
	}
	for _, b := range rs.Before {
		if at := ds.Due.Add(-b.D()); at.After(ds.Start) {
			out = append(out, reminder{at: at, label: b.String() + "-before"})
		}
	}
	slices.SortFunc(out, func(a, b reminder) int { return a.at.Compare(b.at) })
	return out
}

func (m *Mechanism) deadline(id string) (charter.Deadline, bool) {
	for _, d := range m.Charter.Deadlines {
		if d.ID == id {
			return d, true
		}
	}
	return charter.Deadline{}, false
}

// Due returns what the clock owes at instant now for a state derived at
// the same instant: a reminder to the owners of each pending deadline for
// the latest reminder point that has passed; to the chair, each silence
// procedure that expired unbroken (declare the outcome) and one digest of
// the overdue deadlines; to the chair and the secretariat, a consent
// request that timed out. Ids are stable, so a caller that sends each id
// once can call Due as often as it likes. A closed situation owes nothing.
func (m *Mechanism) Due(st *State, now time.Time) []Notification {
	if st.Final {
		return nil
	}
	var out []Notification
	var overdue []DeadlineStatus
	for _, ds := range st.Deadlines {
		switch {
		case ds.Status == DuePending:
			var last *reminder
			for _, r := range m.reminders(ds) {
				if !r.at.After(now) {
					last = &r
				}
			}
			if last == nil {
				continue
			}
			// Only the latest passed point: a node that was down does not
			// send a burst of stale reminders.
			for _, code := range m.owners(st, ds.Owner) {
				out = append(out, Notification{
					ID:        "remind/" + st.ID + "/" + ds.ID + "/" + last.label + "/" + code,
					Situation: st.ID, Kind: NoteReminder, To: code, Role: roleFilter(ds.Owner),
					Params: map[string]string{"deadline": ds.Deadline, "title": ds.Title, "due": stix.FormatTime(ds.Due), "point": last.label},
					Due:    ds.Due, At: last.at,
				})
			}
		case ds.Status == DueMissed && ds.MetAt.IsZero():
			overdue = append(overdue, ds)
		}
	}
	// An unbroken expiry waits for the chair's declaration.
	for _, sp := range st.Silences {
		if sp.Status == SilenceExpired {
			out = append(out, Notification{
				ID:        "declare/" + sp.ID,
				Situation: st.ID, Kind: NoteSilenceExpired, To: m.Charter.Chair.Participant, Role: charter.RoleChair,
				Params: map[string]string{"silence": sp.ID, "draft": sp.DraftRef, "expires": stix.FormatTime(sp.Expires)},
				Due:    sp.Expires, At: sp.Expires,
			})
		}
	}
	// A consent request without an answer in time: the work goes ahead
	// on the charter's path; the chair and the secretariat are told.
	if cs := st.Consent; cs.Status == ConsentTimedOut {
		for _, code := range append([]string{m.Charter.Chair.Participant}, m.Charter.Codes(kurultai.KindSecretariat)...) {
			out = append(out, Notification{
				ID:        "consent-timeout/" + cs.Request.ID + "/" + code,
				Situation: st.ID, Kind: NoteConsentTimedOut, To: code,
				Params: map[string]string{"path": cs.Path, "expires": stix.FormatTime(cs.Request.Expires.Time)},
				Due:    cs.Request.Expires.Time, At: cs.Request.Expires.Time,
			})
		}
	}
	if len(overdue) > 0 {
		ids, items := make([]string, len(overdue)), make([]string, len(overdue))
		at := overdue[0].Due
		for i, ds := range overdue {
			ids[i] = ds.ID
			items[i] = ds.Title + " (due " + stix.FormatTime(ds.Due) + ")"
			if ds.Due.After(at) {
				at = ds.Due
			}
		}
		slices.Sort(ids)
		sum := sha256.Sum256([]byte(strings.Join(ids, "\n")))
		out = append(out, Notification{
			ID:        "overdue/" + st.ID + "/" + hex.EncodeToString(sum[:8]),
			Situation: st.ID, Kind: NoteOverdue, To: m.Charter.Chair.Participant, Role: charter.RoleChair,
			Params: map[string]string{"count": strconv.Itoa(len(overdue)), "items": strings.Join(items, "; "), "deadlines": strings.Join(ids, ",")},
			At:     at,
		})
	}
	return out
}

// Next returns the next instant after now at which Due would owe
// something new (a reminder point or a due time of a pending deadline),
// or the zero time if nothing is pending. The clock sleeps until then (or
// until new records arrive).
func (m *Mechanism) Next(st *State, now time.Time) time.Time {
	var next time.Time
	consider := func(t time.Time) {
		if t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	if st.Final {
		return next
	}
	for _, ds := range st.Deadlines {
		if ds.Status != DuePending {
			continue
		}
		for _, r := range m.reminders(ds) {
			consider(r.at)
		}
		consider(ds.Due.Add(time.Nanosecond)) // overdue just after due
	}
	// The next period of a repeating deadline starts at the last one's due.
	if st.Consent.Status == ConsentPending {
		consider(st.Consent.Request.Expires.Time)
	}
	for _, s := range st.Silences {
		if s.Status == SilenceOpen {
			consider(s.Expires)
		}
	}
	return next
}

// owners expands a deadline's owner role to participant codes, within the
// situation's audience.
func (m *Mechanism) owners(st *State, r charter.Role) []string {
	var out []string
	for _, code := range m.recipients(r, st.Affected()) {
		if m.inAudience(code, st.Situation.Audience) {
			out = append(out, code)
		}
	}
	return out
}

// roleFilter returns the user role a reminder is for: the chair's users
// for the chair, anyone of the participant otherwise.
func roleFilter(r charter.Role) charter.Role {
	if r == charter.RoleChair {
		return charter.RoleChair
	}
	return ""
}
