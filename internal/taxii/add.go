package taxii

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/stix"
)

// publishTimeout bounds the notification after a commit.
const publishTimeout = 5 * time.Second

// SubjectObjectsAdded is the bus subject announcing stored versions; the
// message is a JSON list of AddedObject.
const SubjectObjectsAdded = "objects.added"

// AddedObject is one stored version in an objects.added message.
type AddedObject struct {
	Collection string `json:"collection"`
	ID         string `json:"id"`
	Version    string `json:"version"`
	DateAdded  string `json:"date_added,omitempty"` // empty if the store did not report it
}

// addObjects stores the objects of an envelope (TAXII 2.1 section 5.4). An
// object that fails to parse or validate is a failure in the status and
// does not stop the others.
func (s *Server) addObjects(w http.ResponseWriter, r *http.Request, p kurultai.Principal) error {
	ctx := r.Context()
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		return err
	}
	coll := r.PathValue("id")
	if _, err := s.collection(ctx, coll); err != nil {
		return err
	}
	if !p.CanWrite() {
		s.metrics.AccessDenied.Inc()
		if err := s.audit(ctx, p, kurultai.AuditEntry{
			Action:   kurultai.ActionObjectsAdd,
			Query:    auditQuery(read{collection: coll}),
			Decision: kurultai.DecisionDeny,
			Detail:   "no write permission",
		}); err != nil {
			return err
		}
		return kurultai.Errorf(kurultai.CodeForbidden, "no write permission on this collection")
	}
	data, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	raws, err := stix.ParseEnvelope(data)
	if err != nil {
		return err
	}
	if len(raws) == 0 {
		return kurultai.FieldError("objects", "no objects")
	}
	wr := kurultai.Write{Principal: p, Collection: coll, StatusID: s.newID(), SameContent: s.sameContent}
	var codes map[string]bool // participant codes, loaded when needed
	for i, raw := range raws {
		v, err := stix.ParseObject(raw)
		if err == nil && reserved(v.ID) {
			err = kurultai.FieldError("id", "%s is predefined on every node; reference it instead of sending it", v.ID)
		}
		if err == nil && v.Marking != nil && v.Marking.Releasability {
			if codes == nil {
				if codes, err = s.participantCodes(ctx); err != nil {
					return err
				}
			}
			err = checkAudience(v.Marking.Audience, codes)
		}
		if err == nil && s.signer != nil {
			var signed []byte
			if signed, err = s.signer.Sign(v.Raw); err == nil {
				v.Raw = signed
			}
		}
		if err != nil {
			if kurultai.ErrorCode(err) == kurultai.CodeInternal {
				s.log.ErrorContext(ctx, "taxii: parse object", "index", i, "err", err)
			}
			wr.Rejected = append(wr.Rejected, rejected(i, raw, err))
			continue
		}
		wr.Objects = append(wr.Objects, v)
	}
	// A write the bus cannot announce is turned away before it is stored:
	// the client gets 503 and sends it again, and nothing is stored that
	// the node's live views and the other processes never hear of.
	if err := kurultai.BusReady(s.bus); err != nil {
		return err
	}
	wr.Time = s.clock()
	st, err := s.store.AddObjects(ctx, wr)
	if err != nil {
		return err
	}
	stored := s.stored(wr.Objects, st.Successes)
	for _, v := range stored {
		if v.Marking != nil {
			m := *v.Marking
			if m.ID == "" {
				m.ID = v.ID
			}
			s.markings.Add(m)
		}
	}
	s.metrics.ObjectsStored.Add(float64(len(stored)))
	s.publishAdded(ctx, coll, stored)
	return s.render(w, http.StatusAccepted, newStatusResource(st))
}

// readBody reads a request body of at most max_content_length bytes.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	tooLarge := kurultai.Errorf(kurultai.CodeTooLarge, "request body exceeds max_content_length (%d bytes)", s.maxContent)
	if r.ContentLength > s.maxContent {
		return nil, tooLarge
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxContent))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, tooLarge
	case err != nil:
		return nil, &kurultai.Error{Code: kurultai.CodeInvalid, Message: "could not read request body", Err: err}
	}
	return data, nil
}

// participantCodes returns the set of known participant codes.
func (s *Server) participantCodes(ctx context.Context) (map[string]bool, error) {
	ps, err := s.store.Participants(ctx)
	if err != nil {
		return nil, fmt.Errorf("taxii: participants: %w", err)
	}
	codes := make(map[string]bool, len(ps))
	for _, p := range ps {
		codes[p.Code] = true
	}
	return codes, nil
}

// reserved reports whether id belongs to a predefined object that the
// access decision shows to everyone: no participant may write under it.
func reserved(id string) bool { return kurultai.Predefined(id) }

// checkAudience reports a releasability audience naming an unknown
// participant: such a marking would release to nobody by mistake.
func checkAudience(audience []string, codes map[string]bool) error {
	for i, a := range audience {
		switch a {
		case kurultai.AudienceMembers, kurultai.AudienceMembersObservers, kurultai.AudiencePublic:
			continue
		}
		if !codes[a] {
			field := fmt.Sprintf("extensions.%s.audience[%d]", kurultai.ReleasabilityExtensionID, i)
			return kurultai.FieldError(field, "unknown participant %q", truncate(a))
		}
	}
	return nil
}

// rejected is the status failure of the object at index i.
func rejected(i int, raw []byte, err error) kurultai.StatusDetail {
	var head struct {
		ID       string `json:"id"`
		Modified string `json:"modified"`
		Created  string `json:"created"`
	}
	_ = json.Unmarshal(raw, &head) // best effort: the object is malformed
	d := kurultai.StatusDetail{Message: fmt.Sprintf("objects[%d]: %s", i, kurultai.ErrorMessage(err))}
	var de *kurultai.Error
	if errors.As(err, &de) && de.Code != kurultai.CodeInternal && de.Field != "" {
		d.Message = fmt.Sprintf("objects[%d].%s: %s", i, de.Field, de.Message)
	}
	if validID(head.ID) {
		d.ID = head.ID
	}
	for _, ts := range []string{head.Modified, head.Created} {
		if _, err := stix.ParseTime(ts); err == nil {
			d.Version = ts
			break
		}
	}
	return d
}

// stored returns the versions of objs that the status lists as successes.
func (s *Server) stored(objs []*kurultai.ObjectVersion, successes []kurultai.StatusDetail) []*kurultai.ObjectVersion {
	ok := make(map[[2]string]bool, len(successes))
	for _, d := range successes {
		ok[[2]string{d.ID, d.Version}] = true
		ok[[2]string{d.ID, ""}] = true // versionless objects (SCOs)
	}
	var out []*kurultai.ObjectVersion
	for _, v := range objs {
		if ok[[2]string{v.ID, v.Version}] {
			out = append(out, v)
		}
	}
	return out
}

// publishAdded announces stored versions on the bus. The commit is done:
// a failure to announce is logged, not returned.
func (s *Server) publishAdded(ctx context.Context, coll string, stored []*kurultai.ObjectVersion) {
	if s.bus == nil || len(stored) == 0 {
		return
	}
	msg := make([]AddedObject, len(stored))
	for i, v := range stored {
		msg[i] = AddedObject{Collection: coll, ID: v.ID, Version: v.Version}
		if !v.DateAdded.IsZero() {
			msg[i].DateAdded = stix.FormatTime(v.DateAdded)
			msg[i].Version = version(v)
		}
	}
	data, err := json.Marshal(msg)
	if err != nil {
		s.log.ErrorContext(ctx, "taxii: encode objects.added", "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), publishTimeout)
	defer cancel()
	if err := s.bus.Publish(ctx, SubjectObjectsAdded, data); err != nil {
		s.log.WarnContext(ctx, "taxii: publish objects.added", "count", len(stored), "err", err)
	}
}
