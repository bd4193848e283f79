package taxii

import (
	"context"
	"net/http"
	"net/url"

	"github.com/google/uuid"

	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/stix"
)

// apiRootPath is the one API root, given as a relative URL (TAXII 2.1
// section 4.1.1 allows it).
const apiRootPath = "/taxii2/root/"

type discoveryResource struct {
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Default     string   `json:"default,omitempty"`
	APIRoots    []string `json:"api_roots"`
}

func (s *Server) getDiscovery(w http.ResponseWriter, r *http.Request, p kurultai.Principal) error {
	return s.render(w, http.StatusOK, discoveryResource{
		Title:       s.title,
		Description: "TAXII 2.1 server of a Kurultai node",
		Default:     apiRootPath,
		APIRoots:    []string{apiRootPath},
	})
}

type apiRootResource struct {
	Title            string   `json:"title"`
	Description      string   `json:"description,omitempty"`
	Versions         []string `json:"versions"`
	MaxContentLength int64    `json:"max_content_length"`
}

func (s *Server) getAPIRoot(w http.ResponseWriter, r *http.Request, p kurultai.Principal) error {
	return s.render(w, http.StatusOK, apiRootResource{
		Title:            s.title,
		Description:      "Shared objects of this node",
		Versions:         []string{MediaTypeTAXII},
		MaxContentLength: s.maxContent,
	})
}

type collectionResource struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Alias       string   `json:"alias,omitempty"`
	CanRead     bool     `json:"can_read"`
	CanWrite    bool     `json:"can_write"`
	MediaTypes  []string `json:"media_types"`
}

func newCollectionResource(c kurultai.Collection, p kurultai.Principal) collectionResource {
	return collectionResource{
		ID:          c.ID,
		Title:       c.Title,
		Description: c.Description,
		Alias:       c.Alias,
		CanRead:     p.CanRead(),
		CanWrite:    p.CanWrite(),
		MediaTypes:  []string{MediaTypeSTIX},
	}
}

type collectionsResource struct {
	Collections []collectionResource `json:"collections,omitempty"`
}

func (s *Server) getCollections(w http.ResponseWriter, r *http.Request, p kurultai.Principal) error {
	cs, err := s.store.Collections(r.Context())
	if err != nil {
		return err
	}
	res := collectionsResource{Collections: make([]collectionResource, len(cs))}
	for i, c := range cs {
		res.Collections[i] = newCollectionResource(c, p)
	}
	return s.render(w, http.StatusOK, res)
}

func (s *Server) getCollection(w http.ResponseWriter, r *http.Request, p kurultai.Principal) error {
	c, err := s.collection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, newCollectionResource(c, p))
}

// collection returns the collection with id, or a CodeNotFound error that
// says no more than that.
func (s *Server) collection(ctx context.Context, id string) (kurultai.Collection, error) {
	c, err := s.store.Collection(ctx, id)
	if kurultai.ErrorCode(err) == kurultai.CodeNotFound {
		return kurultai.Collection{}, kurultai.Errorf(kurultai.CodeNotFound, "collection not found")
	}
	return c, err
}

type statusResource struct {
	ID               string                  `json:"id"`
	Status           string                  `json:"status"`
	RequestTimestamp string                  `json:"request_timestamp,omitempty"`
	TotalCount       int                     `json:"total_count"`
	SuccessCount     int                     `json:"success_count"`
	Successes        []kurultai.StatusDetail `json:"successes,omitempty"`
	FailureCount     int                     `json:"failure_count"`
	Failures         []kurultai.StatusDetail `json:"failures,omitempty"`
	PendingCount     int                     `json:"pending_count"`
	Pendings         []kurultai.StatusDetail `json:"pendings,omitempty"`
}

func newStatusResource(st kurultai.Status) statusResource {
	res := statusResource{
		ID:           st.ID,
		Status:       st.Status,
		TotalCount:   len(st.Successes) + len(st.Failures) + len(st.Pendings),
		SuccessCount: len(st.Successes),
		Successes:    st.Successes,
		FailureCount: len(st.Failures),
		Failures:     st.Failures,
		PendingCount: len(st.Pendings),
		Pendings:     st.Pendings,
	}
	if !st.RequestTimestamp.IsZero() {
		res.RequestTimestamp = stix.FormatTime(st.RequestTimestamp)
	}
	return res
}

func (s *Server) getStatus(w http.ResponseWriter, r *http.Request, p kurultai.Principal) error {
	ctx := r.Context()
	id := r.PathValue("id")
	var st kurultai.Status
	found := false
	if uuid.Validate(id) == nil {
		var err error
		st, err = s.store.Status(ctx, id)
		switch kurultai.ErrorCode(err) {
		case "":
			found = true
		case kurultai.CodeNotFound:
		default:
			return err
		}
	}
	// Only the writer's participant may see a status; to anyone else it
	// does not exist.
	visible := found && p.Participant != "" && st.Owner == p.Participant
	detail := "served"
	switch {
	case !found:
		detail = "not found"
	case !visible:
		detail = "not the owner"
		s.metrics.AccessDenied.Inc()
	}
	if err := s.audit(ctx, p, kurultai.AuditEntry{
		Action:   kurultai.ActionStatusRead,
		Query:    url.Values{"status": {id}}.Encode(),
		Decision: decision(visible),
		Detail:   detail,
	}); err != nil {
		return err
	}
	if !visible {
		return kurultai.Errorf(kurultai.CodeNotFound, "status not found")
	}
	return s.render(w, http.StatusOK, newStatusResource(st))
}
