package auditlog

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// getCheckpoint serves the latest checkpoint as a signed note, with the
// stored witness cosignatures appended as further signature lines (note
// verifiers ignore signatures by keys they do not know).
func (s *Server) getCheckpoint(w http.ResponseWriter, r *http.Request, _ kurultai.Principal) error {
	ctx := r.Context()
	rec, err := s.store.LatestCheckpoint(ctx)
	if err != nil {
		return noCheckpoint(err)
	}
	cos, err := s.store.Cosignatures(ctx, rec.Size)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.Write(rec.Note)
	for _, c := range cos {
		b.WriteString(c.Line)
	}
	writeBody(w, http.StatusOK, "text/plain; charset=utf-8", []byte(b.String()))
	return nil
}

func noCheckpoint(err error) error {
	if kurultai.ErrorCode(err) == kurultai.CodeNotFound {
		return kurultai.Errorf(kurultai.CodeNotFound, "no checkpoint yet")
	}
	return err
}

// getStatus serves the latest checkpoint and the latest witnessed one,
// with their cosignatures.
func (s *Server) getStatus(w http.ResponseWriter, r *http.Request, _ kurultai.Principal) error {
	resp, err := s.Status(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, resp)
}

// members returns the member participants by code.
func (s *Server) members(ctx context.Context) (map[string]bool, error) {
	ps, err := s.store.Participants(ctx)
	if err != nil {
		return nil, fmt.Errorf("auditlog: participants: %w", err)
	}
	m := map[string]bool{}
	for _, p := range ps {
		if p.Kind == kurultai.KindMember {
			m[p.Code] = true
		}
	}
	return m, nil
}

func memberCodes(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for c := range m {
		out = append(out, c)
	}
	return out
}

func (s *Server) checkpointStatus(ctx context.Context, rec CheckpointRecord, members map[string]bool, majority int) (*CheckpointStatus, error) {
	cos, err := s.store.Cosignatures(ctx, rec.Size)
	if err != nil {
		return nil, err
	}
	st := &CheckpointStatus{CheckpointJSON: checkpointJSON(rec), Cosignatures: cosignaturesJSON(cos)}
	for _, c := range cos {
		if members[c.Participant] {
			st.MemberCosignatures++
		}
	}
	st.Witnessed = len(members) > 0 && st.MemberCosignatures >= majority
	return st, nil
}

func checkpointJSON(rec CheckpointRecord) CheckpointJSON {
	return CheckpointJSON{Size: rec.Size, Root: rec.Root, Time: rec.Time.UTC(), Note: string(rec.Note)}
}

func cosignaturesJSON(cos []CosignatureRecord) []CosignatureJSON {
	out := make([]CosignatureJSON, 0, len(cos))
	for _, c := range cos {
		out = append(out, CosignatureJSON{Participant: c.Participant, Time: c.Time.UTC(), Line: c.Line})
	}
	return out
}

// getCheckpoints lists the checkpoints with a size above since.
func (s *Server) getCheckpoints(w http.ResponseWriter, r *http.Request, _ kurultai.Principal) error {
	q := r.URL.Query()
	since, err := uintParam(q, "since", false)
	if err != nil {
		return err
	}
	limit, err := parseLimit(q, DefaultCheckpointsLimit, MaxCheckpointsLimit)
	if err != nil {
		return err
	}
	recs, err := s.store.Checkpoints(r.Context(), since, limit+1)
	if err != nil {
		return err
	}
	resp := CheckpointsResponse{Checkpoints: []CheckpointJSON{}}
	if len(recs) > limit {
		recs, resp.More = recs[:limit], true
	}
	for _, rec := range recs {
		resp.Checkpoints = append(resp.Checkpoints, checkpointJSON(rec))
	}
	return writeJSON(w, resp)
}

// getInclusion serves an inclusion proof.
func (s *Server) getInclusion(w http.ResponseWriter, r *http.Request, _ kurultai.Principal) error {
	ctx := r.Context()
	req, err := ParseInclusionRequest(r.URL.Query())
	if err != nil {
		return err
	}
	tree, err := s.treeSize(ctx)
	if err != nil {
		return err
	}
	if err := checkSize("size", req.Size, tree); err != nil {
		return err
	}
	if req.LeafHash != nil {
		if req.Index, err = s.store.LeafIndex(ctx, req.LeafHash); err != nil {
			if kurultai.ErrorCode(err) == kurultai.CodeNotFound {
				return kurultai.Errorf(kurultai.CodeNotFound, "no entry has this leaf hash")
			}
			return err
		}
		if req.Index >= req.Size {
			return kurultai.FieldError("size", "the entry with this hash has index %d, not below size %d", req.Index, req.Size)
		}
	}
	leaf, err := s.store.NodeHashes(ctx, []NodeID{{Level: 0, Index: req.Index}})
	if err != nil {
		return err
	}
	hashes, err := InclusionProof(ctx, s.store, req.Index, req.Size)
	if err != nil {
		return err
	}
	return writeJSON(w, InclusionProofJSON{Index: req.Index, Size: req.Size, LeafHash: leaf[0], Hashes: hashes})
}

// getConsistency serves a consistency proof.
func (s *Server) getConsistency(w http.ResponseWriter, r *http.Request, _ kurultai.Principal) error {
	ctx := r.Context()
	req, err := ParseConsistencyRequest(r.URL.Query())
	if err != nil {
		return err
	}
	tree, err := s.treeSize(ctx)
	if err != nil {
		return err
	}
	if err := checkSize("to", req.To, tree); err != nil {
		return err
	}
	hashes, err := ConsistencyProof(ctx, s.store, req.From, req.To)
	if err != nil {
		return err
	}
	return writeJSON(w, ConsistencyProofJSON{From: req.From, To: req.To, Hashes: hashes})
}
