package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// maxAuditRead caps one AuditEntries call.
const maxAuditRead = 10_000

// AppendAudit appends entries to the audit log durably, all or none, as
// leaves of the audit tree (see audittree.go). An entry with a zero Time
// gets the store clock's time; text that is not valid UTF-8 is stored with
// U+FFFD in place of the invalid bytes. A failure is CodeUnavailable.
func (s *Store) AppendAudit(ctx context.Context, entries ...kurultai.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	err := s.submit(ctx, len(entries), func(ctx context.Context, tx *sql.Tx) error {
		return s.insertAudit(ctx, tx, entries)
	})
	if err != nil {
		return fmt.Errorf("sqlite: append audit: %w", err)
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
		return nil, after, fmt.Errorf("sqlite: audit entries: %w", err)
	}
	return out, last, nil
}

func (s *Store) auditEntries(ctx context.Context, after int64, limit int) ([]kurultai.AuditEntry, int64, error) {
	limit = min(max(limit, 1), maxAuditRead)
	rows, err := s.rdb.QueryContext(ctx, `SELECT seq, time, username, participant, action, objects, query, decision, detail
		FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
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

// insertStatus records a status resource with the bound insert statement.
func insertStatus(ctx context.Context, st *sql.Stmt, s kurultai.Status) error {
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
	_, err := st.ExecContext(ctx, s.ID, s.Collection, s.Owner, s.Status, s.RequestTimestamp.UnixNano(), cols[0], cols[1], cols[2])
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
	err := s.rdb.QueryRowContext(ctx, `SELECT id, collection, owner, status, request_time, successes, failures, pendings
		FROM statuses WHERE id = ?`, id).Scan(&st.ID, &st.Collection, &st.Owner, &st.Status, &t, &cols[0], &cols[1], &cols[2])
	if err == sql.ErrNoRows {
		return kurultai.Status{}, fmt.Errorf("sqlite: status: %w", notFound("status"))
	}
	if err != nil {
		return kurultai.Status{}, fmt.Errorf("sqlite: status: %w", mapErr(err))
	}
	st.RequestTimestamp = time.Unix(0, t).UTC()
	for i, dst := range []*[]kurultai.StatusDetail{&st.Successes, &st.Failures, &st.Pendings} {
		if cols[i] == "[]" {
			continue
		}
		if err := json.Unmarshal([]byte(cols[i]), dst); err != nil {
			return kurultai.Status{}, fmt.Errorf("sqlite: status: decode: %w", err)
		}
	}
	return st, nil
}
