package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/kurultai/kurultai/internal/auditlog"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// AuditLog is what the audit page reads of the node's audit log
// (*auditlog.Server): the entries a principal may see, by the one rule of
// GET /audit/v1/entries, and the checkpoint status of GET /audit/v1/status.
type AuditLog interface {
	Entries(ctx context.Context, p kurultai.Principal, from uint64, limit int) (auditlog.EntriesResponse, error)
	Status(ctx context.Context) (auditlog.StatusResponse, error)
}

// auditPageSize is the entries per page of the audit page.
const auditPageSize = 50

// auditData is the audit page.
type auditData struct {
	Off       bool // no audit log reader configured
	Status    auditlog.StatusResponse
	Latest    *checkpointView
	Witnessed *checkpointView // the latest witnessed, when not the latest
	Entries   []entryView
	Forbidden string // why the user reads no entries
	From      uint64
	Prev      int64 // -1: no earlier page
	Next      uint64
	More      bool
}

type checkpointView struct {
	Size      uint64
	Root      string // base64, as in the note
	Time      time.Time
	Witnessed bool
	Members   int // member witnesses who cosigned
	Cosigners []string
}

type entryView struct {
	Index     uint64
	Time      time.Time
	Username  string
	Part      string
	Action    string
	Decision  string
	Objects   []kurultai.ObjectRef
	Query     string
	Detail    string
	Complete  bool
	Withheld  int
	Malformed bool
}

// auditPage shows the latest checkpoint and whether a majority of the
// members' witnesses cosigned it, and the entries this user may see.
func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	var d auditData
	if s.cfg.Audit == nil {
		d.Off = true
		return s.render(w, r, rq, http.StatusOK, "audit", rq.l.T("audit.title"), "audit", d)
	}
	ctx := r.Context()
	st, err := s.cfg.Audit.Status(ctx)
	if err != nil {
		return fmt.Errorf("web: audit status: %w", err)
	}
	d.Status = st
	d.Latest = checkpointViewOf(st.Latest)
	if st.Witnessed != nil && (st.Latest == nil || st.Witnessed.Size != st.Latest.Size) {
		d.Witnessed = checkpointViewOf(st.Witnessed)
	}
	d.From = uint64(max(0, int64(st.TreeSize)-auditPageSize))
	if v := r.URL.Query().Get("from"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return kurultai.FieldError("from", "%q is not an entry number", clip(v))
		}
		d.From = n
	}
	d.Prev = -1
	if d.From > 0 {
		d.Prev = int64(d.From) - min(int64(d.From), auditPageSize)
	}
	resp, err := s.cfg.Audit.Entries(ctx, rq.p, d.From, auditPageSize)
	switch {
	case kurultai.ErrorCode(err) == kurultai.CodeForbidden:
		d.Forbidden = rq.l.T("audit.auditors")
		d.Prev = -1
	case err != nil:
		return fmt.Errorf("web: audit entries: %w", err)
	default:
		d.Next, d.More = resp.Next, resp.More
		for i := len(resp.Entries) - 1; i >= 0; i-- { // newest first
			d.Entries = append(d.Entries, entryViewOf(resp.Entries[i]))
		}
	}
	return s.render(w, r, rq, http.StatusOK, "audit", rq.l.T("audit.title"), "audit", d)
}

func checkpointViewOf(c *auditlog.CheckpointStatus) *checkpointView {
	if c == nil {
		return nil
	}
	v := &checkpointView{Size: c.Size, Root: base64.StdEncoding.EncodeToString(c.Root), Time: c.Time, Witnessed: c.Witnessed, Members: c.MemberCosignatures}
	for _, co := range c.Cosignatures {
		v.Cosigners = append(v.Cosigners, co.Participant)
	}
	return v
}

// entryViewOf decodes an entry's leaf data (the canonical JSON of what the
// user may see of it).
func entryViewOf(e auditlog.EntryJSON) entryView {
	var leaf struct {
		Action      string               `json:"action"`
		Decision    string               `json:"decision"`
		Detail      string               `json:"detail"`
		Objects     []kurultai.ObjectRef `json:"objects"`
		Participant string               `json:"participant"`
		Query       string               `json:"query"`
		Time        string               `json:"time"`
		Username    string               `json:"username"`
	}
	v := entryView{Index: e.Index, Complete: e.Complete, Withheld: e.WithheldObjects}
	if err := json.Unmarshal(e.Entry, &leaf); err != nil {
		v.Malformed = true
		return v
	}
	v.Time, _ = time.Parse(auditlog.TimeFormat, leaf.Time)
	v.Username, v.Part, v.Action, v.Decision = leaf.Username, leaf.Participant, leaf.Action, leaf.Decision
	v.Objects, v.Query, v.Detail = leaf.Objects, leaf.Query, leaf.Detail
	return v
}
