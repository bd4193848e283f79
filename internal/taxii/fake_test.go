package taxii

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// fakeStore is an in-memory kurultai.Store with the semantics the TAXII
// server relies on. Methods the server must not call panic (nil embedded
// interface).
type fakeStore struct {
	kurultai.Store

	mu           sync.Mutex
	now          time.Time // the next date added
	collections  []kurultai.Collection
	participants []kurultai.Participant
	versions     []*kurultai.ObjectVersion // in date-added order
	statuses     map[string]kurultai.Status
	audit        []kurultai.AuditEntry
	queries      []kurultai.Query

	auditErr error  // AppendAudit fails with it
	listErr  error  // ListObjects fails with it
	listHook func() // called by ListObjects (e.g. to panic)
}

func newFakeStore(start time.Time) *fakeStore {
	return &fakeStore{now: start, statuses: make(map[string]kurultai.Status)}
}

// tick returns the next date added; each is one second after the last.
func (f *fakeStore) tick() time.Time {
	t := f.now
	f.now = f.now.Add(time.Second)
	return t
}

// put stores a version as written by originator, bypassing the server.
func (f *fakeStore) put(coll, originator string, v *kurultai.ObjectVersion) *kurultai.ObjectVersion {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := *v
	c.Collection, c.Originator, c.DateAdded = coll, originator, f.tick()
	if c.EffectiveMarkingRefs == nil {
		c.EffectiveMarkingRefs = c.MarkingRefs
	}
	f.versions = append(f.versions, &c)
	return &c
}

func (f *fakeStore) Collections(context.Context) ([]kurultai.Collection, error) {
	return f.collections, nil
}

func (f *fakeStore) Collection(_ context.Context, id string) (kurultai.Collection, error) {
	for _, c := range f.collections {
		if c.ID == id {
			return c, nil
		}
	}
	return kurultai.Collection{}, kurultai.Errorf(kurultai.CodeNotFound, "no collection %s", id)
}

func (f *fakeStore) Participants(context.Context) ([]kurultai.Participant, error) {
	return f.participants, nil
}

func (f *fakeStore) AppendAudit(_ context.Context, entries ...kurultai.AuditEntry) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.auditErr != nil {
		return f.auditErr
	}
	f.audit = append(f.audit, entries...)
	return nil
}

func (f *fakeStore) auditLog() []kurultai.AuditEntry {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.audit)
}

func (f *fakeStore) lastQuery() kurultai.Query {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.queries[len(f.queries)-1]
}

// sortKey orders the versions of one object: by version, or by date added
// for objects without one.
func sortKey(v *kurultai.ObjectVersion) int64 {
	if v.Version == "" {
		return v.DateAdded.UnixNano()
	}
	return v.VersionKey
}

// versionMatches reports whether v passes the version filter among the
// versions of its object in its collection.
func (f *fakeStore) versionMatches(v *kurultai.ObjectVersion, vf kurultai.VersionFilter) bool {
	if vf.All {
		return true
	}
	first, last := sortKey(v), sortKey(v)
	for _, o := range f.versions {
		if o.ID == v.ID && o.Collection == v.Collection {
			first, last = min(first, sortKey(o)), max(last, sortKey(o))
		}
	}
	isLast := sortKey(v) == last
	if !vf.First && !vf.Last && len(vf.Keys) == 0 {
		return isLast
	}
	return vf.First && sortKey(v) == first || vf.Last && isLast || slices.Contains(vf.Keys, v.VersionKey)
}

func (f *fakeStore) matches(v *kurultai.ObjectVersion, q kurultai.Query) bool {
	return v.Collection == q.Collection &&
		(len(q.IDs) == 0 || slices.Contains(q.IDs, v.ID)) &&
		(len(q.Types) == 0 || slices.Contains(q.Types, v.Type)) &&
		(len(q.SpecVersions) == 0 || slices.Contains(q.SpecVersions, v.SpecVersion)) &&
		(q.AddedAfter.IsZero() || v.DateAdded.After(q.AddedAfter)) &&
		v.DateAdded.UnixMicro() > int64(q.After) &&
		f.versionMatches(v, q.Versions)
}

func (f *fakeStore) ListObjects(_ context.Context, q kurultai.Query, allow func(*kurultai.ObjectVersion) bool) (kurultai.Page, error) {
	if f.listHook != nil {
		f.listHook()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries = append(f.queries, q)
	if f.listErr != nil {
		return kurultai.Page{}, f.listErr
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 1 << 30
	}
	var page kurultai.Page
	for _, v := range f.versions {
		if !f.matches(v, q) {
			continue
		}
		if !allow(v) {
			if len(page.Items) < limit {
				page.Withheld++
			}
			continue
		}
		if len(page.Items) == limit {
			page.More = true
			break
		}
		c := *v
		if !q.WithRaw {
			c.Raw = nil
		}
		page.Items = append(page.Items, &c)
	}
	if page.More {
		page.Next = kurultai.Cursor(page.Items[len(page.Items)-1].DateAdded.UnixMicro())
	}
	return page, nil
}

func (f *fakeStore) AddObjects(_ context.Context, w kurultai.Write) (kurultai.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := kurultai.Status{
		ID: w.StatusID, Collection: w.Collection, Owner: w.Principal.Participant,
		Status: "complete", RequestTimestamp: w.Time, Failures: slices.Clone(w.Rejected),
	}
	for _, v := range w.Objects {
		d := kurultai.StatusDetail{ID: v.ID, Version: v.Version}
		if msg := f.refuse(v, w.Principal.Participant); msg != "" {
			d.Message = msg
			st.Failures = append(st.Failures, d)
			continue
		}
		v.Collection, v.Originator, v.DateAdded = w.Collection, w.Principal.Participant, f.tick()
		v.EffectiveMarkingRefs = v.MarkingRefs
		c := *v
		f.versions = append(f.versions, &c)
		st.Successes = append(st.Successes, d)
	}
	f.statuses[st.ID] = st
	f.audit = append(f.audit, kurultai.AuditEntry{Time: w.Time, Username: w.Principal.Username,
		Participant: w.Principal.Participant, Action: kurultai.ActionObjectsAdd, Decision: kurultai.DecisionAllow})
	return st, nil
}

// refuse returns why v cannot be stored for participant, or "".
func (f *fakeStore) refuse(v *kurultai.ObjectVersion, participant string) string {
	for _, o := range f.versions {
		if o.ID != v.ID {
			continue
		}
		if o.Originator != participant {
			return "object written by another participant"
		}
		if o.Version == v.Version && !bytes.Equal(o.Raw, v.Raw) {
			return "version exists with other content"
		}
	}
	return ""
}

func (f *fakeStore) DeleteObject(_ context.Context, coll, id string, vf kurultai.VersionFilter, allow func(*kurultai.ObjectVersion) bool, entry kurultai.AuditEntry) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := kurultai.Query{Collection: coll, IDs: []string{id}, Versions: vf}
	var del []*kurultai.ObjectVersion
	for _, v := range f.versions {
		if f.matches(v, q) && allow(v) {
			del = append(del, v)
		}
	}
	if len(del) == 0 {
		return 0, kurultai.Errorf(kurultai.CodeNotFound, "nothing to delete")
	}
	f.versions = slices.DeleteFunc(f.versions, func(v *kurultai.ObjectVersion) bool { return slices.Contains(del, v) })
	f.audit = append(f.audit, entry)
	return len(del), nil
}

func (f *fakeStore) Status(_ context.Context, id string) (kurultai.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st, ok := f.statuses[id]
	if !ok {
		return kurultai.Status{}, kurultai.Errorf(kurultai.CodeNotFound, "no status")
	}
	return st, nil
}

// fakeAuth authenticates "Authorization: Bearer NAME" as the principal
// registered under NAME.
type fakeAuth map[string]kurultai.Principal

func (a fakeAuth) Authenticate(r *http.Request) (kurultai.Principal, error) {
	name, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if p, known := a[name]; ok && known {
		return p, nil
	}
	return kurultai.Principal{}, kurultai.Errorf(kurultai.CodeUnauthenticated, "unknown token %q", name)
}

// fakeBus records published messages.
type fakeBus struct {
	mu   sync.Mutex
	msgs []busMsg
	err  error
}

type busMsg struct {
	subject string
	data    []byte
}

func (b *fakeBus) Publish(_ context.Context, subject string, data []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.msgs = append(b.msgs, busMsg{subject, slices.Clone(data)})
	return b.err
}

func (b *fakeBus) Subscribe(string, func(string, []byte)) (func(), error) {
	return func() {}, nil
}

func (b *fakeBus) Close() error { return nil }

func (b *fakeBus) published() []busMsg {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.msgs)
}
