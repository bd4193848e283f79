package auditlog

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// getCosignatures lists the cosignatures of the checkpoint of size (the
// latest checkpoint when size is not given).
func (s *Server) getCosignatures(w http.ResponseWriter, r *http.Request, _ kurultai.Principal) error {
	ctx := r.Context()
	q := r.URL.Query()
	var rec CheckpointRecord
	var err error
	if _, ok := q["size"]; ok {
		size, perr := uintParam(q, "size", true)
		if perr != nil {
			return perr
		}
		rec, err = s.store.CheckpointAt(ctx, size)
		if kurultai.ErrorCode(err) == kurultai.CodeNotFound {
			return kurultai.Errorf(kurultai.CodeNotFound, "no checkpoint of size %d", size)
		}
	} else {
		rec, err = s.store.LatestCheckpoint(ctx)
		err = noCheckpoint(err)
	}
	if err != nil {
		return err
	}
	cos, err := s.store.Cosignatures(ctx, rec.Size)
	if err != nil {
		return err
	}
	return writeJSON(w, CosignaturesResponse{Size: rec.Size, Cosignatures: cosignaturesJSON(cos)})
}

// postCosignatures stores the cosignatures of a checkpoint this node
// signed. The body is the checkpoint note with the witness's signature
// lines (other signature lines, the node's own among them, are ignored).
// A cosignature counts only if it is by the key of a known witness and
// verifies over exactly the text the node signed.
func (s *Server) postCosignatures(w http.ResponseWriter, r *http.Request, p kurultai.Principal) error {
	ctx := r.Context()
	body, err := readLimited(w, r, maxCosignBody)
	if err != nil {
		return err
	}
	n, err := ParseNote(body)
	if err != nil {
		return kurultai.FieldError("body", "%v", err)
	}
	c, err := ParseCheckpoint(n.Text)
	if err != nil {
		return kurultai.FieldError("body", "%v", err)
	}
	if c.Origin != s.origin {
		return kurultai.FieldError("body", "the checkpoint's origin %q is not this log's (%s)", clip(c.Origin), s.origin)
	}
	rec, err := s.store.CheckpointAt(ctx, c.Size)
	if err != nil {
		if kurultai.ErrorCode(err) == kurultai.CodeNotFound {
			return kurultai.Errorf(kurultai.CodeNotFound, "no checkpoint of size %d", c.Size)
		}
		return err
	}
	stored, err := ParseNote(rec.Note)
	if err != nil {
		return fmt.Errorf("auditlog: stored checkpoint %d: %w", rec.Size, err)
	}
	if stored.Text != n.Text {
		return &kurultai.Error{Code: kurultai.CodeConflict, Field: "body",
			Message: fmt.Sprintf("this node signed another checkpoint of size %d; the cosigned one is not this log's", c.Size)}
	}
	var found []CosignatureRecord
	for _, sig := range n.Sigs {
		for _, k := range s.witnessKeys {
			if k.Name != sig.Name || k.Hash() != sig.KeyHash {
				continue
			}
			if _, err := verifyCosignature(k.NoteKey, n.Text, sig.Sig); err != nil {
				return kurultai.FieldError("body", "%v: cosignature by %s (key %08x): %v", ErrBadSignature, sig.Name, sig.KeyHash, err)
			}
			found = append(found, CosignatureRecord{Size: c.Size, Participant: k.participant, Line: sig.Line(), Time: s.clock().UTC()})
		}
	}
	if len(found) == 0 {
		return kurultai.FieldError("body", "no cosignature by a known witness (key names %s)", s.witnessNames())
	}
	var who []string
	for _, f := range found {
		who = append(who, f.Participant)
	}
	err = s.audit(ctx, p, kurultai.AuditEntry{Action: ActionCosign, Query: fmt.Sprintf("size=%d", c.Size),
		Decision: kurultai.DecisionAllow, Detail: "cosigned by " + strings.Join(who, ",")})
	if err != nil {
		return err
	}
	for _, f := range found {
		if err := s.store.AddCosignature(ctx, f); err != nil {
			return err
		}
	}
	cos, err := s.store.Cosignatures(ctx, c.Size)
	if err != nil {
		return err
	}
	return writeJSON(w, CosignaturesResponse{Size: c.Size, Cosignatures: cosignaturesJSON(cos), Accepted: who})
}

func (s *Server) witnessNames() string {
	if len(s.witnessKeys) == 0 {
		return "none configured"
	}
	seen := map[string]bool{}
	var names []string
	for _, k := range s.witnessKeys {
		if !seen[k.Name] {
			seen[k.Name] = true
			names = append(names, k.Name)
		}
	}
	return strings.Join(names, ", ")
}
