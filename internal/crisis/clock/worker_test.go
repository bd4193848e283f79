package clock

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/crisis"
)

func newWorker(t *testing.T, f *fixture, bus Bus, catchUp time.Duration) *Worker {
	t.Helper()
	w, err := NewWorker(Config{Index: f.index(), Bus: bus, Collection: crisis.CollectionID, Clock: f.clock.Now, CatchUp: catchUp})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func tick(t *testing.T, w *Worker, now time.Time) (time.Time, Stats) {
	t.Helper()
	next, st, err := w.Tick(context.Background(), now)
	if err != nil {
		t.Fatalf("Tick(%s): %v", now, err)
	}
	return next, st
}

func ids(ms []Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

// TestWorkerReminders replays the first day of a situation nobody acts on:
// reminders at 50% and 90% of each deadline, then the overdue digest to
// the chair, each sent once however often the worker ticks.
func TestWorkerReminders(t *testing.T) {
	f := newFixture(t)
	f.clock.Set(t0.Add(time.Hour))
	sit := f.raise()
	bus := &memBus{}
	w := newWorker(t, f, bus, 0)

	next, st := tick(t, w, t0.Add(time.Hour))
	if st.Published != 0 || st.Derived != 1 {
		t.Fatalf("at raise: %+v, want 1 derived, nothing sent", st)
	}
	if want := t0.Add(6 * time.Hour); !next.Equal(want) {
		t.Fatalf("next = %s, want the 50%% point of the 12h deadlines %s", next, want)
	}

	next, st = tick(t, w, next)
	msgs := bus.messages()
	if got := ids(msgs); !slices.Equal(got, []string{
		"remind/" + sit + "/consultation/50%/TR",
		"remind/" + sit + "/situation_report#1/50%/KZ",
	}) {
		t.Fatalf("at +6h sent %q", got)
	}
	if msgs[0].Role != string(charter.RoleChair) || msgs[1].Role != "" {
		t.Errorf("roles = %q, %q; want the chair's users for the chair's deadline, all of KZ for the report", msgs[0].Role, msgs[1].Role)
	}
	if !strings.Contains(msgs[0].Text, "Consultation opened is due 2022-01-02 12:00 UTC") {
		t.Errorf("text = %q", msgs[0].Text)
	}
	if _, st = tick(t, w, t0.Add(6*time.Hour)); st.Published != 0 || st.Derived != 0 {
		t.Errorf("ticking again at the same time: %+v, want nothing derived or sent", st)
	}
	if want := t0.Add(10*time.Hour + 48*time.Minute); !next.Equal(want) {
		t.Fatalf("next = %s, want the 90%% point %s", next, want)
	}

	// Replay three days, waking exactly when the clock says.
	now := next
	for now.Before(t0.Add(72 * time.Hour)) {
		next, _ = tick(t, w, now)
		if !next.After(now) {
			t.Fatalf("next %s is not after now %s", next, now)
		}
		now = next
	}
	msgs = bus.messages()
	if len(msgs) != len(bus.ids) {
		t.Fatalf("%d messages for %d ids", len(msgs), len(bus.ids))
	}
	overdue := find(msgs, crisis.NoteOverdue, "TR")
	if len(overdue) == 0 || overdue[0].Params["count"] != "2" || overdue[0].Role != string(charter.RoleChair) {
		t.Fatalf("first overdue digest = %+v, want 2 overdue to the chair", overdue)
	}
	if got, want := overdue[0].At, t0.Add(12*time.Hour); !got.Equal(want) {
		t.Errorf("first digest at %s, want %s", got, want)
	}
	if n := len(find(msgs, crisis.NoteReminder, "KZ")); n != 12 {
		t.Errorf("%d report reminders to KZ over three days, want 12 (two per 12h period)", n)
	}
	for _, m := range msgs {
		if m.To == "HU" || m.To == "TM" {
			t.Errorf("observer %s notified of a members-only situation: %s", m.To, m.ID)
		}
	}
}

// TestWorkerRecordsChangeTheClock: a report meets the period's deadline,
// so its 90% reminder is not sent; a mode change starts new deadlines.
func TestWorkerRecordsChangeTheClock(t *testing.T) {
	f := newFixture(t)
	f.clock.Set(t0.Add(time.Hour))
	sit := f.raise()
	bus := &memBus{}
	w := newWorker(t, f, bus, 0)
	tick(t, w, t0.Add(6*time.Hour))

	f.clock.Set(t0.Add(7 * time.Hour))
	f.act(kz, sit, &crisis.PostReport{Text: "Protests continue in Zhanaozen."})
	f.act(chair, sit, &crisis.ChangeMode{To: "consultation"})
	next, st := tick(t, w, t0.Add(7*time.Hour))
	if st.Derived != 1 {
		t.Fatalf("after new records: %+v, want the situation derived again", st)
	}
	// senior_officials: 24h from the consultation at +7h; its 50% point is
	// +19h, after the first statement's 50% point at +12h.
	if want := t0.Add(12 * time.Hour); !next.Equal(want) {
		t.Errorf("next = %s, want %s", next, want)
	}
	tick(t, w, t0.Add(11*time.Hour))
	tick(t, w, t0.Add(20*time.Hour))
	got := ids(bus.messages())
	for _, id := range got {
		if strings.Contains(id, "situation_report#1/90%") {
			t.Errorf("reminder %s sent for a period already met", id)
		}
		if strings.Contains(id, "/consultation/90%") {
			t.Errorf("reminder %s sent for a deadline already met", id)
		}
	}
	if !slices.Contains(got, "remind/"+sit+"/senior_officials/50%/TR") {
		t.Errorf("no senior officials reminder in %q", got)
	}
}

// TestWorkerCatchUp: a worker started long after the deadlines fell due
// does not send stale reminders, but sends what falls due afterwards.
func TestWorkerCatchUp(t *testing.T) {
	f := newFixture(t)
	f.clock.Set(t0.Add(time.Hour))
	f.raise()
	start := t0.Add(73 * time.Hour)
	f.clock.Set(start)
	bus := &memBus{}
	w := newWorker(t, f, bus, 0)
	next, st := tick(t, w, start)
	if st.Published != 0 || st.Skipped == 0 {
		t.Fatalf("at start: %+v, want stale notifications skipped, none sent", st)
	}
	// The period that runs from +72h has its 50% point at +78h.
	if want := t0.Add(78 * time.Hour); !next.Equal(want) {
		t.Fatalf("next = %s, want %s", next, want)
	}
	if _, st = tick(t, w, next); st.Published != 1 {
		t.Fatalf("at +78h: %+v, want the period's reminder", st)
	}
}

// TestWorkerRetries: a bus failure loses nothing; the next tick sends.
func TestWorkerRetries(t *testing.T) {
	f := newFixture(t)
	f.clock.Set(t0.Add(time.Hour))
	f.raise()
	bus := &memBus{fail: errors.New("bus down")}
	w := newWorker(t, f, bus, 0)
	if _, _, err := w.Tick(context.Background(), t0.Add(6*time.Hour)); err == nil || !strings.Contains(err.Error(), "bus down") {
		t.Fatalf("Tick with a failing bus = %v, want the bus error", err)
	}
	bus.mu.Lock()
	bus.fail = nil
	bus.mu.Unlock()
	if _, st := tick(t, w, t0.Add(6*time.Hour)); st.Published != 2 {
		t.Fatalf("after the bus recovered: %+v, want both reminders sent", st)
	}
}

func TestNewWorkerErrors(t *testing.T) {
	f := newFixture(t)
	if _, err := NewWorker(Config{Bus: &memBus{}}); err == nil {
		t.Error("NewWorker without an index succeeded")
	}
	if _, err := NewWorker(Config{Index: f.index()}); err == nil {
		t.Error("NewWorker without a bus succeeded")
	}
}
