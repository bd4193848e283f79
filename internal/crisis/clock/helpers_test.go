package clock

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
	"github.com/kurultai/kurultai/internal/sqlite"
	"github.com/kurultai/kurultai/internal/stix"
)

// t0 is the onset of the test situations.
var t0 = time.Date(2022, 1, 2, 0, 0, 0, 0, time.UTC)

var (
	chair = kurultai.Principal{Username: "tr-chair", Participant: "TR", Kind: kurultai.KindMember, Role: kurultai.RoleChair}
	sec   = kurultai.Principal{Username: "sec", Participant: "SEC", Kind: kurultai.KindSecretariat, Role: kurultai.RoleSecretariat}
	kz    = liaison("KZ", kurultai.KindMember)
	uz    = liaison("UZ", kurultai.KindMember)
)

func liaison(code string, k kurultai.ParticipantKind) kurultai.Principal {
	return kurultai.Principal{Username: strings.ToLower(code) + "-liaison", Participant: code, Kind: k, Role: kurultai.RoleLiaison}
}

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// fixture is a real SQLite store seeded as a node seeds it, with the
// default charter's mechanism.
type fixture struct {
	t     testing.TB
	store *sqlite.Store
	m     *crisis.Mechanism
	clock *fakeClock
	n     int // writes so far
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	clk := &fakeClock{now: t0.Add(-time.Hour)}
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kurultai.db"), sqlite.Options{Clock: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ch := charter.Default()
	if err := seed.System(ctx, st, ch.DirectoryParticipants(), "SEC", clk.Now); err != nil {
		t.Fatal(err)
	}
	if err := st.PutCollection(ctx, crisis.Collection()); err != nil {
		t.Fatal(err)
	}
	clk.Set(t0.Add(-time.Hour + time.Second)) // seed status ids are the time
	self := kurultai.Participant{Code: "SEC", Kind: kurultai.KindSecretariat}
	if err := seed.AddRaw(ctx, st, seed.SystemPrincipal(self), crisis.CollectionID, crisis.ExtensionDefinitions(seed.PredefinedCreator, seed.SystemCreated), clk.Now); err != nil {
		t.Fatal(err)
	}
	clk.Set(t0)
	return &fixture{t: t, store: st, m: crisis.New(ch, nil), clock: clk}
}

// act derives the situation from the store, acts at the fixture's time and
// stores the records; it returns the first record's id.
func (f *fixture) act(p kurultai.Principal, situation string, a crisis.Action) string {
	f.t.Helper()
	ctx := context.Background()
	now := f.clock.Now()
	var st *crisis.State
	if situation != "" {
		recs, _, err := f.m.Load(ctx, f.store, crisis.CollectionID, func(*kurultai.ObjectVersion) bool { return true })
		if err != nil {
			f.t.Fatal(err)
		}
		if st, err = f.m.Derive(situation, recs, now); err != nil {
			f.t.Fatal(err)
		}
	}
	res, err := f.m.Act(st, p, a, now)
	if err != nil {
		f.t.Fatalf("%s by %s: %v", a.Name(), p.Username, err)
	}
	f.write(p, res.Objects...)
	return res.Records[0].Base().ID
}

// write stores raw objects as p, failing on any refusal.
func (f *fixture) write(p kurultai.Principal, raws ...[]byte) {
	f.t.Helper()
	f.n++
	w := kurultai.Write{Principal: p, Collection: crisis.CollectionID, StatusID: fmt.Sprintf("test-%d", f.n), Time: f.clock.Now()}
	for _, raw := range raws {
		v, err := stix.ParseObject(raw)
		if err != nil {
			f.t.Fatal(err)
		}
		w.Objects = append(w.Objects, v)
	}
	status, err := f.store.AddObjects(context.Background(), w)
	if err != nil {
		f.t.Fatal(err)
	}
	if len(status.Failures) > 0 {
		f.t.Fatalf("write refused: %+v", status.Failures)
	}
}

// raise opens "Test unrest" in KZ with onset t0, by the secretariat at
// the fixture's time.
func (f *fixture) raise() string {
	f.t.Helper()
	return f.act(sec, "", &crisis.RaiseAlert{Title: "Test unrest", Onset: t0, Affected: []string{"KZ"}})
}

func (f *fixture) index() *Index {
	return NewIndex(f.store, f.m, crisis.CollectionID, IndexOptions{Clock: f.clock.Now})
}

var errSubject = errors.New("durable message on another participant's subject")

// memBus is a Bus in memory that de-duplicates durable messages by id as
// JetStream does.
type memBus struct {
	mu      sync.Mutex
	durable []Message
	live    []string // subjects
	ids     map[string]bool
	fail    error
}

func (b *memBus) Publish(_ context.Context, subject string, _ []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.live = append(b.live, subject)
	return nil
}

func (b *memBus) PublishDurable(_ context.Context, subject string, data []byte, id string) (*jetstream.PubAck, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail != nil {
		return nil, b.fail
	}
	if b.ids == nil {
		b.ids = map[string]bool{}
	}
	if b.ids[id] {
		return &jetstream.PubAck{Duplicate: true}, nil
	}
	b.ids[id] = true
	var m Message
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	if subject != DurableSubject(m.To) {
		return nil, errSubject
	}
	b.durable = append(b.durable, m)
	return &jetstream.PubAck{Stream: "KURULTAI", Sequence: uint64(len(b.durable))}, nil
}

func (b *memBus) Subscribe(string, func(string, []byte)) (func(), error) { return func() {}, nil }
func (b *memBus) Close() error                                           { return nil }

// messages returns the durable messages so far.
func (b *memBus) messages() []Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Message(nil), b.durable...)
}

// find returns the durable messages of a kind to a participant.
func find(ms []Message, kind, to string) []Message {
	var out []Message
	for _, m := range ms {
		if m.Kind == kind && (to == "" || m.To == to) {
			out = append(out, m)
		}
	}
	return out
}
