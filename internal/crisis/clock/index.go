package clock

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// DefaultReload is how often an Index lists the whole collection again
// to drop deleted versions, when IndexOptions.Reload is zero.
const DefaultReload = 10 * time.Minute

// pageSize is the page size of the reads of the store.
const pageSize = 1000

// Entry is one stored version of a crisis record. Entries are immutable:
// the index replaces an entry rather than change it, so a reader may keep
// the entries it was given.
type Entry struct {
	// Version is the stored version without its JSON (Raw is nil): the
	// access decision reads its markings and originator.
	Version *kurultai.ObjectVersion
	// Record is the parsed record; nil when the version does not parse.
	Record crisis.Record
	// Problem says why the version does not parse.
	Problem string

	situation string // the situation_ref of a version that does not parse
}

// IndexOptions configures NewIndex.
type IndexOptions struct {
	// Reload is how often the whole collection is listed again to drop
	// deleted versions; zero means DefaultReload.
	Reload time.Duration
	Clock  kurultai.Clock // nil: time.Now
	Logger *slog.Logger   // nil: discard
	// Locker orders the actions of several processes sharing the store;
	// nil uses the store's own when it is a kurultai.KeyLocker (the
	// PostgreSQL store), else only this process's actions are ordered.
	Locker kurultai.KeyLocker
}

// MaxKeyLocks bounds the situations whose cross-process lock one Index
// holds at once: each pins a connection of the store's pool (at least 8),
// and the holders need others to read and write.
const MaxKeyLocks = 4

// Index mirrors the crisis records of one collection in memory, grouped
// by situation. It is safe for concurrent use.
type Index struct {
	store      kurultai.ObjectStore
	m          *crisis.Mechanism
	collection string
	reload     time.Duration
	clock      kurultai.Clock
	log        *slog.Logger

	// refreshMu serialises refreshes; it is held while reading the store.
	// Lock order: refreshMu, then mu.
	refreshMu sync.Mutex
	prunedAt  time.Time // when deleted versions were last dropped; guarded by refreshMu

	locks   situationLocks
	keys    kurultai.KeyLocker // nil: one process holds the store
	keySlot chan struct{}      // bounds the cross-process locks held (MaxKeyLocks)

	mu      sync.RWMutex // guards the fields below
	cursor  kurultai.Cursor
	tab     *table
	version uint64 // bumped by every change
}

// table is the index proper.
type table struct {
	byID  map[string][]*Entry // the versions of each object, oldest first
	bySit map[string]*sitEntries
	sits  []sitKey // situations with their situation record, in order
}

type sitEntries struct {
	entries []*Entry
	version uint64 // the index version of the last change
}

type sitKey struct {
	id      string
	created time.Time
}

func newTable() *table {
	return &table{byID: map[string][]*Entry{}, bySit: map[string]*sitEntries{}}
}

// NewIndex returns an empty index of the crisis records in collection of
// st, parsed by m. The first Refresh reads them.
func NewIndex(st kurultai.ObjectStore, m *crisis.Mechanism, collection string, opts IndexOptions) *Index {
	x := &Index{store: st, m: m, collection: collection, reload: opts.Reload, clock: opts.Clock, log: opts.Logger, tab: newTable()}
	if x.reload <= 0 {
		x.reload = DefaultReload
	}
	x.keys = opts.Locker
	if kl, ok := st.(kurultai.KeyLocker); ok && x.keys == nil {
		x.keys = kl
	}
	x.keySlot = make(chan struct{}, MaxKeyLocks)
	if x.clock == nil {
		x.clock = time.Now
	}
	if x.log == nil {
		x.log = slog.New(slog.DiscardHandler)
	}
	return x
}

// Mechanism returns the mechanism that parses the records.
func (x *Index) Mechanism() *crisis.Mechanism { return x.m }

// Refresh reads the versions added to the store since the last refresh;
// every Reload it also drops the versions that were deleted. After it
// returns, the index holds every version committed before it was called.
func (x *Index) Refresh(ctx context.Context) error {
	x.refreshMu.Lock()
	defer x.refreshMu.Unlock()
	x.mu.RLock()
	cursor := x.cursor
	x.mu.RUnlock()
	items, next, err := x.read(ctx, cursor, true)
	if err != nil {
		return err
	}
	if len(items) > 0 || next != cursor {
		entries := x.parse(items)
		x.mu.Lock()
		x.version++
		for _, e := range entries {
			x.tab.add(e, x.version)
		}
		x.cursor = next
		x.mu.Unlock()
	}
	if now := x.clock(); x.prunedAt.IsZero() || now.Sub(x.prunedAt) >= x.reload || now.Before(x.prunedAt) {
		if cursor != 0 { // else everything was just read
			if err := x.prune(ctx); err != nil {
				return err
			}
		}
		x.prunedAt = now
	}
	return nil
}

type versionKey struct {
	id  string
	key int64
}

// prune drops the versions the store no longer has. It lists every
// version's identity, not its JSON. Refreshes are serialised, so every
// entry was stored before the listing began: one missing from it was
// deleted.
func (x *Index) prune(ctx context.Context) error {
	items, _, err := x.read(ctx, 0, false)
	if err != nil {
		return err
	}
	present := make(map[versionKey]bool, len(items))
	for _, v := range items {
		present[versionKey{v.ID, v.VersionKey}] = true
	}
	gone := func(e *Entry) bool { return !present[versionKey{e.Version.ID, e.Version.VersionKey}] }
	x.mu.Lock()
	defer x.mu.Unlock()
	changed := false
	for id, vs := range x.tab.byID {
		if !slices.ContainsFunc(vs, gone) {
			continue
		}
		changed = true
		if kept := slices.DeleteFunc(slices.Clone(vs), gone); len(kept) > 0 {
			x.tab.byID[id] = kept
		} else {
			delete(x.tab.byID, id)
		}
	}
	if !changed {
		return nil
	}
	x.version++
	for sit, s := range x.tab.bySit {
		if !slices.ContainsFunc(s.entries, gone) {
			continue
		}
		s.entries, s.version = slices.DeleteFunc(slices.Clone(s.entries), gone), x.version
		if !slices.ContainsFunc(s.entries, func(e *Entry) bool { _, ok := e.Record.(*crisis.Situation); return ok }) {
			x.tab.sits = slices.DeleteFunc(x.tab.sits, func(k sitKey) bool { return k.id == sit })
		}
	}
	return nil
}

// read lists every crisis record version after cursor, with its JSON or
// without.
func (x *Index) read(ctx context.Context, cursor kurultai.Cursor, raw bool) ([]*kurultai.ObjectVersion, kurultai.Cursor, error) {
	q := kurultai.Query{Collection: x.collection, After: cursor, Versions: kurultai.VersionFilter{All: true}, Limit: pageSize, WithRaw: raw}
	var out []*kurultai.ObjectVersion
	for {
		page, err := x.store.ListObjects(ctx, q, func(v *kurultai.ObjectVersion) bool { return crisis.IsRecordType(v.Type) })
		if err != nil {
			return nil, cursor, fmt.Errorf("clock: read crisis records: %w", err)
		}
		out = append(out, page.Items...)
		for _, v := range page.Items {
			if a := kurultai.Cursor(v.DateAdded.UnixMicro()); a > cursor {
				cursor = a
			}
		}
		if !page.More {
			return out, cursor, nil
		}
		cursor = max(cursor, page.Next)
		q.After = page.Next
	}
}

// parse parses versions into entries, on every CPU when there are many
// (the first read of a large store).
func (x *Index) parse(items []*kurultai.ObjectVersion) []*Entry {
	out := make([]*Entry, len(items))
	workers := min(runtime.GOMAXPROCS(0), len(items)/parallelMin)
	if workers < 2 {
		for i, v := range items {
			out[i] = x.entry(v)
		}
		return out
	}
	var wg sync.WaitGroup
	chunk := (len(items) + workers - 1) / workers
	for lo := 0; lo < len(items); lo += chunk {
		hi := min(lo+chunk, len(items))
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				out[i] = x.entry(items[i])
			}
		})
	}
	wg.Wait()
	return out
}

// parallelMin is the least number of versions per parsing goroutine.
const parallelMin = 256

// entry parses one version.
func (x *Index) entry(v *kurultai.ObjectVersion) *Entry {
	e := &Entry{}
	rec, err := x.m.Parse(v)
	if err != nil {
		e.Problem = kurultai.ErrorMessage(err)
	} else {
		e.Record = rec
	}
	cp := *v
	cp.Raw = nil
	e.Version = &cp
	if rec == nil {
		// Group it with its situation all the same, to show why it does
		// not count.
		var head struct {
			SituationRef string `json:"situation_ref"`
		}
		if json.Unmarshal(v.Raw, &head) == nil && head.SituationRef != "" {
			e.Problem = "does not parse: " + e.Problem
			x.log.Debug("clock: unreadable crisis record", "id", v.ID, "problem", e.Problem)
			e.situation = head.SituationRef
		}
	}
	return e
}

// situationOf returns the situation an entry belongs to ("" if unknown).
func (e *Entry) situationOf() string {
	if e.Record != nil {
		return e.Record.Base().Situation
	}
	return e.situation
}

// add adds an entry to the table; version is the index version.
func (t *table) add(e *Entry, version uint64) {
	v := e.Version
	vs := t.byID[v.ID]
	for _, old := range vs {
		if old.Version.VersionKey == v.VersionKey && old.Version.DateAdded.Equal(v.DateAdded) {
			return // read twice
		}
	}
	sit := e.situationOf()
	// A newer version narrows the audience of the older ones (see
	// kurultai.ObjectVersion.EffectiveMarkingRefs): the store has done so
	// for the versions it returns now, the index does it for those it
	// already holds.
	for i, old := range vs {
		if old.Version.VersionKey < v.VersionKey {
			if n := narrowed(old, v.MarkingRefs); n != old {
				vs[i] = n
				t.replace(old, n)
			}
		}
	}
	t.byID[v.ID] = append(vs, e)
	if sit == "" {
		return
	}
	s := t.bySit[sit]
	if s == nil {
		s = &sitEntries{}
		t.bySit[sit] = s
	}
	s.entries = append(s.entries, e)
	s.version = version
	if r, ok := e.Record.(*crisis.Situation); ok && r.ID == sit && !slices.ContainsFunc(t.sits, func(k sitKey) bool { return k.id == sit }) {
		k := sitKey{id: sit, created: r.Created}
		i, _ := slices.BinarySearchFunc(t.sits, k, compareSit)
		t.sits = slices.Insert(t.sits, i, k)
	}
}

func compareSit(a, b sitKey) int {
	return cmp.Or(a.created.Compare(b.created), cmp.Compare(a.id, b.id))
}

// replace swaps an entry of a situation's list for its narrowed copy. The
// list is copied first: readers may hold the old one.
func (t *table) replace(old, n *Entry) {
	s := t.bySit[old.situationOf()]
	if s == nil {
		return
	}
	if i := slices.Index(s.entries, old); i >= 0 {
		s.entries = slices.Clone(s.entries)
		s.entries[i] = n
	}
}

// narrowed returns e with refs added to its effective marking refs, or e
// itself when it already has them all.
func narrowed(e *Entry, refs []string) *Entry {
	eff := e.Version.EffectiveMarkingRefs
	if eff == nil {
		eff = e.Version.MarkingRefs
	}
	var add []string
	for _, r := range refs {
		if !slices.Contains(eff, r) && !slices.Contains(add, r) {
			add = append(add, r)
		}
	}
	if len(add) == 0 {
		return e
	}
	v := *e.Version
	v.EffectiveMarkingRefs = append(slices.Clip(slices.Clone(eff)), add...)
	n := *e
	n.Version = &v
	return &n
}

// Situations returns the ids of the situations whose situation record
// the index holds, oldest first (as crisis.Situations orders them).
func (x *Index) Situations() []string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	ids := make([]string, len(x.tab.sits))
	for i, k := range x.tab.sits {
		ids[i] = k.id
	}
	return ids
}

// Entries returns the entries of a situation (its own record included),
// in the order the index read them, and the index version of the
// situation's last change. The slice must not be modified.
func (x *Index) Entries(situation string) ([]*Entry, uint64) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	s := x.tab.bySit[situation]
	if s == nil {
		return nil, 0
	}
	return s.entries, s.version
}

// Records returns the parsed records among entries.
func Records(entries []*Entry) []crisis.Record {
	out := make([]crisis.Record, 0, len(entries))
	for _, e := range entries {
		if e.Record != nil {
			out = append(out, e.Record)
		}
	}
	return out
}

// Len returns the number of versions the index holds.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	n := 0
	for _, vs := range x.tab.byID {
		n += len(vs)
	}
	return n
}

// Lock locks a situation for an action and returns the unlock function.
// Every surface that acts (the API, the web pages) derives, acts and
// stores under it, so that two actions on one situation are never both
// checked against the same state: within this process by a mutex, and
// across the processes sharing the store by the store's key lock (see
// IndexOptions.Locker), taken after the mutex so that a process waits for
// it once per situation. The caller must Refresh after Lock returns: the
// index then holds what the previous holder stored. An error (ctx ended,
// the store unavailable or the lock held too long elsewhere) means the
// lock is not held.
func (x *Index) Lock(ctx context.Context, situation string) (unlock func(), err error) {
	local := x.locks.lock(situation)
	if x.keys == nil {
		return local, nil
	}
	select {
	case x.keySlot <- struct{}{}:
	case <-ctx.Done():
		local()
		return nil, fmt.Errorf("clock: lock situation: %w", ctx.Err())
	}
	shared, err := x.keys.LockKey(ctx, SituationLockKey(situation))
	if err != nil {
		<-x.keySlot
		local()
		return nil, fmt.Errorf("clock: lock situation: %w", err)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			shared()
			<-x.keySlot
			local()
		})
	}, nil
}

// SituationLockKey is the name of a situation's cross-process lock.
func SituationLockKey(situation string) string { return "crisis.situation:" + situation }

// Locker returns the cross-process locker of the index, nil when the
// store is held by one process.
func (x *Index) Locker() kurultai.KeyLocker { return x.keys }

// situationLocks holds a mutex per situation being acted on.
type situationLocks struct {
	mu sync.Mutex // guards m
	m  map[string]*situationLock
}

type situationLock struct {
	mu    sync.Mutex
	users int // holders and waiters; the entry goes when it drops to 0
}

func (l *situationLocks) lock(id string) func() {
	l.mu.Lock()
	if l.m == nil {
		l.m = map[string]*situationLock{}
	}
	e := l.m[id]
	if e == nil {
		e = &situationLock{}
		l.m[id] = e
	}
	e.users++
	l.mu.Unlock()
	e.mu.Lock()
	return func() {
		e.mu.Unlock()
		l.mu.Lock()
		e.users--
		if e.users == 0 {
			delete(l.m, id)
		}
		l.mu.Unlock()
	}
}
