package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kurultai/kurultai/internal/auditlog"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// maxAuditRead caps one AuditEntries call.
const maxAuditRead = 10_000

// AppendAudit appends entries to the audit log durably, all or none. An
// entry with a zero Time gets the store clock's time.
func (s *Store) AppendAudit(ctx context.Context, entries ...kurultai.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	err := s.submit(ctx, len(entries), func(ctx context.Context, w *wtx) error {
		return insertAudit(ctx, w, s.clock, entries)
	})
	if err != nil {
		return fmt.Errorf("postgres: append audit: %w", err)
	}
	return nil
}

// auditRows are the audit rows a write transaction appends, column by
// column; the writer inserts them all at once before COMMIT (writeState),
// with the tree they extend.
type auditRows struct {
	seqs, times []int64
	text        [7][]string // username, participant, action, objects, query, decision, detail
	leaves      [][]byte
}

func (a *auditRows) len() int { return len(a.seqs) }

// truncate drops the rows after the first n (a job rolled back).
func (a *auditRows) truncate(n int) {
	a.seqs, a.times, a.leaves = a.seqs[:n], a.times[:n], a.leaves[:n]
	for k := range a.text {
		a.text[k] = a.text[k][:n]
	}
}

// insertAudit appends audit entries to the transaction of w with the next
// sequence numbers and their leaf hashes (see audittree.go); the writer
// inserts them before COMMIT. The rows keep what the leaves encode:
// nanosecond UTC times and text made valid UTF-8 without NUL
// (auditlog.Sanitize, and U+FFFD for NUL, which PostgreSQL text cannot
// hold). Any failure is CodeUnavailable: the request that needed the entry
// fails closed.
func insertAudit(_ context.Context, w *wtx, clock kurultai.Clock, entries []kurultai.AuditEntry) error {
	a := &w.audit
	start := a.len()
	for _, e := range entries {
		if e.Time.IsZero() {
			e.Time = clock()
		}
		e = auditlog.Sanitize(e)
		e.Time = e.Time.UTC()
		for _, f := range []*string{&e.Username, &e.Participant, &e.Action, &e.Query, &e.Decision, &e.Detail} {
			*f = toText(*f)
		}
		objs, err := auditlog.EncodeObjects(e.Objects)
		if err == nil {
			seq := w.nextAuditSeq()
			if w.leafBuf, err = auditlog.AppendLeaf(w.leafBuf[:0], seq, e); err == nil {
				a.seqs, a.times = append(a.seqs, seq), append(a.times, e.Time.UnixNano())
				a.leaves = append(a.leaves, auditlog.LeafHash(w.leafBuf))
				for k, v := range []string{e.Username, e.Participant, e.Action, objs, e.Query, e.Decision, e.Detail} {
					a.text[k] = append(a.text[k], v)
				}
			}
		}
		if err != nil {
			a.truncate(start)
			return unavailableAudit(err)
		}
	}
	return nil
}

// AuditEntries returns up to limit audit entries with a sequence number
// greater than after, in log order, and the sequence number of the last one
// (after when there is none). It is not part of kurultai.Store: the
// conformance suite and the audit tooling read the log through it.
func (s *Store) AuditEntries(ctx context.Context, after int64, limit int) ([]kurultai.AuditEntry, int64, error) {
	out, last, err := s.auditEntries(ctx, after, limit)
	if err != nil {
		return nil, after, fmt.Errorf("postgres: audit entries: %w", err)
	}
	return out, last, nil
}

func (s *Store) auditEntries(ctx context.Context, after int64, limit int) ([]kurultai.AuditEntry, int64, error) {
	limit = min(max(limit, 1), maxAuditRead)
	rows, err := s.pool.Query(ctx, `SELECT seq, time, username, participant, action, objects, query, decision, detail
		FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`, after, limit)
	if err != nil {
		return nil, after, mapErr(err)
	}
	defer rows.Close()
	var out []kurultai.AuditEntry
	last := after
	for rows.Next() {
		var e kurultai.AuditEntry
		var t int64
		var objs string
		if err := rows.Scan(&last, &t, &e.Username, &e.Participant, &e.Action, &objs, &e.Query, &e.Decision, &e.Detail); err != nil {
			return nil, after, mapErr(err)
		}
		e.Time = time.Unix(0, t).UTC()
		if objs != "[]" {
			if err := json.Unmarshal([]byte(objs), &e.Objects); err != nil {
				return nil, after, fmt.Errorf("objects: %w", err)
			}
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, after, mapErr(err)
	}
	return out, last, nil
}

// insertStatus records a status resource.
func insertStatus(ctx context.Context, tx pgx.Tx, s kurultai.Status) error {
	var cols [3]string
	for i, ds := range [][]kurultai.StatusDetail{s.Successes, s.Failures, s.Pendings} {
		if len(ds) == 0 {
			cols[i] = "[]"
			continue
		}
		data, err := json.Marshal(ds)
		if err != nil {
			return fmt.Errorf("encode status: %w", err)
		}
		cols[i] = string(data)
	}
	_, err := tx.Exec(ctx, sqlInsertStatus, s.ID, s.Collection, s.Owner, s.Status, s.RequestTimestamp.UnixNano(), cols[0], cols[1], cols[2])
	if err != nil {
		return fmt.Errorf("insert status: %w", mapErr(err))
	}
	return nil
}

// Status returns the status resource with the id, or CodeNotFound.
func (s *Store) Status(ctx context.Context, id string) (kurultai.Status, error) {
	var st kurultai.Status
	var t int64
	var cols [3]string
	err := s.pool.QueryRow(ctx, `SELECT id, collection, owner, status, request_time, successes, failures, pendings
		FROM statuses WHERE id = $1`, id).Scan(&st.ID, &st.Collection, &st.Owner, &st.Status, &t, &cols[0], &cols[1], &cols[2])
	if errNoRows(err) || badText(err) {
		return kurultai.Status{}, fmt.Errorf("postgres: status: %w", notFound("status"))
	}
	if err != nil {
		return kurultai.Status{}, fmt.Errorf("postgres: status: %w", mapErr(err))
	}
	st.RequestTimestamp = time.Unix(0, t).UTC()
	for i, dst := range []*[]kurultai.StatusDetail{&st.Successes, &st.Failures, &st.Pendings} {
		if cols[i] == "[]" {
			continue
		}
		if err := json.Unmarshal([]byte(cols[i]), dst); err != nil {
			return kurultai.Status{}, fmt.Errorf("postgres: status: decode: %w", err)
		}
	}
	return st, nil
}
