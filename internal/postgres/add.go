package postgres

import (
	"github.com/kurultai/kurultai/internal/markingrefs"

	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// Failure messages of AddObjects. They never name another participant.
const (
	msgOtherWriter = "object id belongs to another writer"
	msgNoID        = "object has no id"
	msgNoJSON      = "object has no JSON"
)

// statusTimeFormat formats dates added in status details (TAXII timestamp
// with microseconds).
const statusTimeFormat = "2006-01-02T15:04:05.000000Z"

// versionRow is one version of an object during a write: stored (loaded
// from the database) or new (inserted by this write).
type versionRow struct {
	added int64
	key   int64
	v     *kurultai.ObjectVersion // new versions only

	own   string   // encoded own refs
	eff   []string // effective refs, kept current while the write runs
	first bool
	last  bool

	// For stored versions: the values as loaded, to update only what changed.
	stored                  bool
	storedEff               string
	storedFirst, storedLast bool
}

// objectState is what a write knows of one object id in the collection.
type objectState struct {
	originator string
	rows       []*versionRow
	changed    bool
}

// outcome is the result of one version of a write.
type outcome struct {
	v       *kurultai.ObjectVersion
	row     *versionRow // set on success
	message string      // set on failure
	denied  bool        // refused because another participant wrote the object
}

// AddObjects stores the acceptable versions of w and records its status and
// audit entries in one durable transaction (see kurultai.ObjectStore). It
// sets Collection, Originator, DateAdded and EffectiveMarkingRefs on each
// version of w it reports as a success.
func (s *Store) AddObjects(ctx context.Context, w kurultai.Write) (kurultai.Status, error) {
	if w.StatusID == "" {
		return kurultai.Status{}, fmt.Errorf("postgres: add objects: %w", kurultai.Errorf(kurultai.CodeInvalid, "empty status id"))
	}
	if w.Time.IsZero() {
		w.Time = s.clock()
	}
	var st kurultai.Status
	err := s.submit(ctx, len(w.Objects), func(ctx context.Context, tx *wtx) error {
		var err error
		st, err = s.addObjects(ctx, tx, &w)
		return err
	})
	if err != nil {
		return kurultai.Status{}, fmt.Errorf("postgres: add objects: %w", err)
	}
	return st, nil
}

// addObjects is AddObjects' job.
func (s *Store) addObjects(ctx context.Context, tx *wtx, w *kurultai.Write) (kurultai.Status, error) {
	me := w.Principal.Participant
	if me == "" {
		return kurultai.Status{}, kurultai.Errorf(kurultai.CodeInvalid, "writer has no participant")
	}
	if !storable(w.Collection) {
		return kurultai.Status{}, notFound("collection")
	}
	ids, refs, inWrite := writeIndex(w)
	seq, states, markings, err := loadWriteState(ctx, tx.tx, w.Collection, ids, refs)
	if err != nil {
		return kurultai.Status{}, err
	}
	outcomes := make([]outcome, 0, len(w.Objects))
	var added []*versionRow
	for _, v := range w.Objects {
		if v == nil {
			continue
		}
		o := outcome{v: v}
		switch {
		case v.ID == "":
			o.message = msgNoID
		case len(v.Raw) == 0:
			o.message = msgNoJSON
		}
		if o.message != "" {
			outcomes = append(outcomes, o)
			continue
		}
		st := states[v.ID]
		if st == nil {
			st = &objectState{}
			states[v.ID] = st
		}
		if st.originator != "" && st.originator != me {
			o.message, o.denied = msgOtherWriter, true
			outcomes = append(outcomes, o)
			continue
		}
		if i := slices.IndexFunc(st.rows, func(r *versionRow) bool { return r.key == v.VersionKey }); i >= 0 {
			r := st.rows[i]
			var raw []byte
			if r.v != nil {
				raw = r.v.Raw
			} else {
				if err := tx.tx.QueryRow(ctx, sqlRaw, seq, r.added).Scan(&raw); err != nil {
					return kurultai.Status{}, mapErr(err)
				}
			}
			if bytes.Equal(raw, v.Raw) || (w.SameContent != nil && w.SameContent(raw, v.Raw)) {
				o.row = r
			} else {
				o.message = conflictMessage(v)
			}
			outcomes = append(outcomes, o)
			continue
		}
		if ref, ok := unknownRef(v.MarkingRefs, markings, inWrite); !ok {
			o.message = fmt.Sprintf("unknown marking-definition %s", ref)
			outcomes = append(outcomes, o)
			continue
		}
		if v.Marking != nil {
			m, ok := markings[v.ID]
			if ok && !sameMarking(m, v.Marking) {
				o.message = fmt.Sprintf("marking-definition %s already exists with a different definition", v.ID)
				outcomes = append(outcomes, o)
				continue
			}
			if !ok {
				if err := insertMarkingRow(ctx, tx.tx, v); err != nil {
					return kurultai.Status{}, err
				}
				markings[v.ID] = markingRow(v.Marking)
			}
		}
		r := &versionRow{added: tx.nextAdded(), key: v.VersionKey, v: v, own: markingrefs.Encode(v.MarkingRefs)}
		st.rows = append(st.rows, r)
		st.originator, st.changed = me, true
		added = append(added, r)
		o.row = r
		outcomes = append(outcomes, o)
	}

	updates := settle(states)
	if err := writeVersions(ctx, tx.tx, seq, me, added, updates); err != nil {
		return kurultai.Status{}, err
	}
	status := kurultai.Status{
		ID:               w.StatusID,
		Collection:       w.Collection,
		Owner:            me,
		Status:           "complete",
		RequestTimestamp: w.Time,
	}
	var denied []kurultai.ObjectRef
	for _, o := range outcomes {
		v := o.v
		d := kurultai.StatusDetail{ID: v.ID, Version: v.Version, Message: o.message}
		if o.row == nil {
			status.Failures = append(status.Failures, d)
			if o.denied {
				denied = append(denied, kurultai.ObjectRef{ID: v.ID, Version: v.Version})
			}
			continue
		}
		v.Collection = w.Collection
		v.Originator = me
		v.DateAdded = time.UnixMicro(o.row.added).UTC()
		v.EffectiveMarkingRefs = append([]string{}, o.row.eff...)
		d.Version = refVersion(v)
		status.Successes = append(status.Successes, d)
	}
	status.Failures = append(status.Failures, w.Rejected...)
	if err := insertStatus(ctx, tx.tx, status); err != nil {
		return kurultai.Status{}, err
	}
	entries := []kurultai.AuditEntry{{
		Time:        w.Time,
		Username:    w.Principal.Username,
		Participant: me,
		Action:      kurultai.ActionObjectsAdd,
		Objects:     detailRefs(status.Successes),
		Decision:    kurultai.DecisionAllow,
		Detail:      fmt.Sprintf("stored %d, failed %d", len(status.Successes), len(status.Failures)),
	}}
	if len(denied) > 0 {
		entries = append(entries, kurultai.AuditEntry{
			Time:        w.Time,
			Username:    w.Principal.Username,
			Participant: me,
			Action:      kurultai.ActionObjectsAdd,
			Objects:     denied,
			Decision:    kurultai.DecisionDeny,
			Detail:      fmt.Sprintf("refused %d: %s", len(denied), msgOtherWriter),
		})
	}
	if err := insertAudit(ctx, tx, s.clock, entries); err != nil {
		return kurultai.Status{}, err
	}
	return status, nil
}

// writeIndex returns the object ids of w, the marking ids its versions
// refer to or define, and the set of marking-definition ids it contains.
func writeIndex(w *kurultai.Write) (ids, refs []string, inWrite map[string]bool) {
	seenID := make(map[string]bool, len(w.Objects))
	seenRef := map[string]bool{}
	inWrite = map[string]bool{}
	addRef := func(r string) {
		if !seenRef[r] {
			seenRef[r] = true
			refs = append(refs, r)
		}
	}
	for _, v := range w.Objects {
		if v == nil || v.ID == "" {
			continue
		}
		if !seenID[v.ID] {
			seenID[v.ID] = true
			ids = append(ids, v.ID)
		}
		for _, r := range v.MarkingRefs {
			addRef(r)
		}
		if v.Type == "marking-definition" {
			inWrite[v.ID] = true
			addRef(v.ID)
		}
	}
	return ids, refs, inWrite
}

// unknownRef returns the first ref that is neither a stored marking nor a
// marking-definition of the write.
func unknownRef(refs []string, markings map[string]storedMarking, inWrite map[string]bool) (string, bool) {
	for _, r := range refs {
		if !markingrefs.Valid(r) {
			return r, false
		}
		if _, ok := markings[r]; !ok && !inWrite[r] {
			return r, false
		}
	}
	return "", true
}

func conflictMessage(v *kurultai.ObjectVersion) string {
	if v.Version == "" {
		return "version already exists with different content"
	}
	return fmt.Sprintf("version %s already exists with different content", v.Version)
}

// detailRefs returns the object refs of status details.
func detailRefs(ds []kurultai.StatusDetail) []kurultai.ObjectRef {
	refs := make([]kurultai.ObjectRef, len(ds))
	for i, d := range ds {
		refs[i] = kurultai.ObjectRef{ID: d.ID, Version: d.Version}
	}
	return refs
}
