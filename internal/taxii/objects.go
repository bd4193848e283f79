package taxii

import (
	"context"
	"net/http"
	"net/url"

	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/stix"
)

// read describes one read of object versions.
type read struct {
	action     string
	collection string
	objectID   string // for one object's endpoints; empty for listings
	filter     filter
	withRaw    bool
}

// readPage runs one page of a read for p: it checks the collection and the
// read permission, queries the store with the access decision, and appends
// the audit entry. A read of one object that finds nothing visible is
// CodeNotFound whether the object is missing or hidden.
func (s *Server) readPage(ctx context.Context, p kurultai.Principal, rd read) (kurultai.Page, error) {
	if _, err := s.collection(ctx, rd.collection); err != nil {
		return kurultai.Page{}, err
	}
	entry := kurultai.AuditEntry{Action: rd.action, Query: auditQuery(rd)}
	if !p.CanRead() {
		s.metrics.AccessDenied.Inc()
		entry.Decision, entry.Detail = kurultai.DecisionDeny, "no read permission"
		if err := s.audit(ctx, p, entry); err != nil {
			return kurultai.Page{}, err
		}
		return kurultai.Page{}, kurultai.Errorf(kurultai.CodeForbidden, "no read permission on this collection")
	}
	q := rd.filter.query(rd.collection, rd.withRaw)
	if rd.objectID != "" {
		q.IDs = []string{rd.objectID}
	}
	if rd.action == kurultai.ActionVersionsRead {
		q.Versions = kurultai.VersionFilter{All: true}
	}
	page, err := s.store.ListObjects(ctx, q, s.allow(p))
	if err != nil {
		return kurultai.Page{}, err
	}
	s.metrics.AccessDenied.Add(float64(page.Withheld))
	// Past the last page of one object an empty envelope is the answer;
	// otherwise nothing visible means "not found", hidden or not.
	missing := rd.objectID != "" && len(page.Items) == 0 && !rd.filter.hasNext
	entry.Decision = decision(!missing)
	entry.Detail = counts(len(page.Items), page.Withheld)
	if rd.objectID != "" {
		entry.Objects = refs(page.Items)
	}
	if err := s.audit(ctx, p, entry); err != nil {
		return kurultai.Page{}, err
	}
	if missing {
		return kurultai.Page{}, kurultai.Errorf(kurultai.CodeNotFound, "object not found")
	}
	return page, nil
}

// auditQuery is the canonical query of a read, collection and object
// included.
func auditQuery(rd read) string {
	v := url.Values{"collection": {rd.collection}}
	if rd.objectID != "" {
		v.Set("object", rd.objectID)
	}
	q := v.Encode()
	if f := rd.filter.canonical(); f != "" {
		q += "&" + f
	}
	return q
}

// objectID returns the object id of the request path, which must be a
// STIX identifier.
func objectID(r *http.Request) (string, error) {
	id := r.PathValue("object_id")
	if !validID(id) {
		return "", kurultai.FieldError("object_id", "not a STIX identifier")
	}
	return id, nil
}

func (s *Server) getObjects(w http.ResponseWriter, r *http.Request, p kurultai.Principal) error {
	f, err := parseFilter(r.URL.Query(), objectsParams)
	if err != nil {
		return err
	}
	page, err := s.readPage(r.Context(), p, read{
		action:     kurultai.ActionObjectsRead,
		collection: r.PathValue("id"),
		filter:     f,
		withRaw:    true,
	})
	if err != nil {
		return err
	}
	return s.writeEnvelope(w, page)
}

func (s *Server) getObject(w http.ResponseWriter, r *http.Request, p kurultai.Principal) error {
	id, err := objectID(r)
	if err != nil {
		return err
	}
	f, err := parseFilter(r.URL.Query(), objectParams)
	if err != nil {
		return err
	}
	page, err := s.readPage(r.Context(), p, read{
		action:     kurultai.ActionObjectRead,
		collection: r.PathValue("id"),
		objectID:   id,
		filter:     f,
		withRaw:    true,
	})
	if err != nil {
		return err
	}
	return s.writeEnvelope(w, page)
}

type manifestRecord struct {
	ID        string `json:"id"`
	DateAdded string `json:"date_added"`
	Version   string `json:"version"`
	MediaType string `json:"media_type"`
}

type manifestResource struct {
	More    bool             `json:"more"`
	Next    string           `json:"next,omitempty"`
	Objects []manifestRecord `json:"objects,omitempty"`
}

func (s *Server) getManifest(w http.ResponseWriter, r *http.Request, p kurultai.Principal) error {
	f, err := parseFilter(r.URL.Query(), manifestParams)
	if err != nil {
		return err
	}
	page, err := s.readPage(r.Context(), p, read{
		action:     kurultai.ActionManifestRead,
		collection: r.PathValue("id"),
		filter:     f,
	})
	if err != nil {
		return err
	}
	res := manifestResource{More: page.More, Next: next(page)}
	res.Objects = make([]manifestRecord, len(page.Items))
	for i, v := range page.Items {
		res.Objects[i] = manifestRecord{
			ID:        v.ID,
			DateAdded: stix.FormatTime(v.DateAdded),
			Version:   version(v),
			MediaType: MediaTypeSTIX,
		}
	}
	setDateAdded(w, page)
	return s.render(w, http.StatusOK, res)
}

type versionsResource struct {
	More     bool     `json:"more"`
	Next     string   `json:"next,omitempty"`
	Versions []string `json:"versions,omitempty"`
}

func (s *Server) getVersions(w http.ResponseWriter, r *http.Request, p kurultai.Principal) error {
	id, err := objectID(r)
	if err != nil {
		return err
	}
	f, err := parseFilter(r.URL.Query(), versionsParams)
	if err != nil {
		return err
	}
	page, err := s.readPage(r.Context(), p, read{
		action:     kurultai.ActionVersionsRead,
		collection: r.PathValue("id"),
		objectID:   id,
		filter:     f,
	})
	if err != nil {
		return err
	}
	res := versionsResource{More: page.More, Next: next(page)}
	res.Versions = make([]string, len(page.Items))
	for i, v := range page.Items {
		res.Versions[i] = version(v)
	}
	setDateAdded(w, page)
	return s.render(w, http.StatusOK, res)
}

// version returns the TAXII version of v: its modified or created
// timestamp, or its date added for objects that have neither.
func version(v *kurultai.ObjectVersion) string {
	if v.Version != "" {
		return v.Version
	}
	return stix.FormatTime(v.DateAdded)
}

// next returns the next token of a page, empty on the last page.
func next(page kurultai.Page) string {
	if !page.More {
		return ""
	}
	return encodeCursor(page.Next)
}

// setDateAdded sets the X-TAXII-Date-Added-First and -Last headers of a
// page that lists versions; an empty page has neither.
func setDateAdded(w http.ResponseWriter, page kurultai.Page) {
	if len(page.Items) == 0 {
		return
	}
	h := w.Header()
	h.Set("X-TAXII-Date-Added-First", stix.FormatTime(page.Items[0].DateAdded))
	h.Set("X-TAXII-Date-Added-Last", stix.FormatTime(page.Items[len(page.Items)-1].DateAdded))
}
