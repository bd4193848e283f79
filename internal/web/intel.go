package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
)

// intelPageSize is the number of objects per page of the library.
const intelPageSize = 50

// intelTypes are the types offered in the library's filter.
var intelTypes = []string{"report", "note", "indicator", "observed-data", "location", "identity", "threat-actor",
	"campaign", "malware", "attack-pattern", "relationship", "sighting", "marking-definition"}

// tlpLevels are the TLP levels offered in the marking filter.
var tlpLevels = []kurultai.TLP{kurultai.TLPClear, kurultai.TLPGreen, kurultai.TLPAmber, kurultai.TLPAmberStrict, kurultai.TLPRed}

// intelData is the intel library: a filtered page of shared objects.
type intelData struct {
	Filter       intelFilter
	Rows         []objectRow
	Next         string // the cursor of the next page
	Types        []string
	TLPs         []kurultai.TLP
	Originators  []string
	Audiences    []string
	NextQuery    template.URL // encoded by url.Values: safe in an href
	FilterFields string
}

type intelFilter struct {
	Type, Originator, Marking, Q, From string
}

// objectRow is an object in a listing.
type objectRow struct {
	ID, Type, Name string
	Originator     string
	Modified       time.Time
	Added          time.Time
	Badges         []badge
}

// badge is a marking as shown: a TLP level or a releasability audience.
type badge struct {
	Class, Text string
}

// badges describes a version's markings (the user may see the object, so
// is in the audience of each releasability marking on it).
func (s *Server) badges(v *kurultai.ObjectVersion) []badge {
	var out []badge
	for _, ref := range v.MarkingRefs {
		m, ok := s.markings.Marking(ref)
		switch {
		case !ok:
			out = append(out, badge{"unknown", "?"})
		case m.TLP != "":
			out = append(out, badge{"tlp tlp-" + strings.ReplaceAll(string(m.TLP), "+", "-"), "TLP:" + strings.ToUpper(string(m.TLP))})
		case m.Releasability:
			out = append(out, badge{"rel", "REL TO " + strings.Join(m.Audience, " ")})
		default:
			out = append(out, badge{"other", m.Name})
		}
	}
	return out
}

// props reads the few properties a listing shows.
type props struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Content     string `json:"content"`
	Abstract    string `json:"abstract"`
	Pattern     string `json:"pattern"`
	Value       string `json:"value"`
}

func readProps(raw []byte) props {
	var p props
	_ = json.Unmarshal(raw, &p) // stored objects parse; a missing field is empty
	return p
}

func (p props) title() string {
	return firstNonEmpty(p.Name, p.Abstract, p.Value, excerpt(p.Pattern, 80))
}

// intel lists the shared objects the user may see, filtered.
func (s *Server) intel(w http.ResponseWriter, r *http.Request, rq *request) error {
	q := r.URL.Query()
	f := intelFilter{Type: q.Get("type"), Originator: q.Get("originator"), Marking: q.Get("marking"), Q: strings.TrimSpace(q.Get("q")), From: q.Get("from")}
	query := kurultai.Query{Collection: seed.IntelCollectionID, Limit: intelPageSize, WithRaw: true}
	if f.Type != "" {
		query.Types = []string{f.Type}
	}
	if f.From != "" {
		t, err := time.Parse("2006-01-02", f.From)
		if err != nil {
			return kurultai.FieldError("from", "%q is not a date (YYYY-MM-DD)", clip(f.From))
		}
		query.AddedAfter = t.Add(-time.Nanosecond)
	}
	if c := q.Get("after"); c != "" {
		n, err := strconv.ParseInt(c, 10, 64)
		if err != nil || n < 0 {
			return kurultai.FieldError("after", "%q is not a page of this listing", clip(c))
		}
		query.After = kurultai.Cursor(n)
	}
	needle := []byte(strings.ToLower(f.Q))
	allow := func(v *kurultai.ObjectVersion) bool {
		if !access.Decide(rq.p, v, s.markings) {
			return false
		}
		if f.Originator != "" && v.Originator != f.Originator {
			return false
		}
		if f.Marking != "" && !s.hasMarking(v, f.Marking) {
			return false
		}
		return true
	}
	page, err := s.listMatching(r, query, allow, needle)
	if err != nil {
		return fmt.Errorf("web: intel: %w", err)
	}
	d := intelData{Filter: f, Types: intelTypes, TLPs: tlpLevels}
	parts, err := s.store.Participants(r.Context())
	if err != nil {
		return fmt.Errorf("web: intel: %w", err)
	}
	d.Audiences = []string{kurultai.AudienceMembers, kurultai.AudienceMembersObservers, kurultai.AudiencePublic}
	for _, p := range parts {
		d.Originators = append(d.Originators, p.Code)
		d.Audiences = append(d.Audiences, p.Code)
	}
	var refs []kurultai.ObjectRef
	for _, v := range page.Items {
		d.Rows = append(d.Rows, objectRow{ID: v.ID, Type: v.Type, Name: readProps(v.Raw).title(), Originator: v.Originator,
			Modified: v.Modified, Added: v.DateAdded, Badges: s.badges(v)})
		refs = append(refs, kurultai.ObjectRef{ID: v.ID, Version: v.Version})
	}
	if page.More {
		nq := url.Values{}
		for k, v := range map[string]string{"type": f.Type, "originator": f.Originator, "marking": f.Marking, "q": f.Q, "from": f.From} {
			if v != "" {
				nq.Set(k, v)
			}
		}
		nq.Set("after", strconv.FormatInt(int64(page.Next), 10))
		d.NextQuery = template.URL(nq.Encode())
	}
	if err := s.auditRead(r, rq.p, kurultai.AuditEntry{Action: kurultai.ActionObjectsRead, Objects: refs, Query: r.URL.RawQuery,
		Detail: fmt.Sprintf("web library: %d listed, %d withheld", len(refs), page.Withheld)}); err != nil {
		return err
	}
	return s.render(w, r, rq, http.StatusOK, "intel", rq.l.T("intel.title"), "intel", d)
}

// Bounds of a text search: the versions read per store page and in all
// for one page of results.
const (
	searchBatch  = 1000
	searchBudget = 20_000
)

// listMatching lists a page of q whose versions pass allow and, if needle
// is set, contain it (lower case) in their name, description, content,
// abstract or id. The text is matched after the store's page: the store
// hands allow a version without its JSON.
func (s *Server) listMatching(r *http.Request, q kurultai.Query, allow func(*kurultai.ObjectVersion) bool, needle []byte) (kurultai.Page, error) {
	if len(needle) == 0 {
		return s.store.ListObjects(r.Context(), q, allow)
	}
	want := q.Limit
	q.Limit = searchBatch
	var out kurultai.Page
	for scanned := 0; ; {
		page, err := s.store.ListObjects(r.Context(), q, allow)
		if err != nil {
			return kurultai.Page{}, err
		}
		scanned += len(page.Items) + page.Withheld
		out.Withheld += page.Withheld
		for _, v := range page.Items {
			p := readProps(v.Raw)
			if !bytes.Contains(bytes.ToLower([]byte(p.Name+"\n"+p.Description+"\n"+p.Content+"\n"+p.Abstract+"\n"+v.ID)), needle) {
				out.Withheld++
				continue
			}
			if len(out.Items) == want {
				last := out.Items[len(out.Items)-1]
				out.More, out.Next = true, kurultai.Cursor(last.DateAdded.UnixMicro())
				return out, nil
			}
			out.Items = append(out.Items, v)
		}
		if !page.More {
			return out, nil
		}
		if scanned >= searchBudget {
			out.More, out.Next = true, page.Next // the next link goes on searching
			return out, nil
		}
		q.After = page.Next
	}
}

// hasMarking reports whether v carries the TLP level or the audience
// named by want ("tlp:amber", "members", "KZ").
func (s *Server) hasMarking(v *kurultai.ObjectVersion, want string) bool {
	tlp, isTLP := strings.CutPrefix(want, "tlp:")
	for _, ref := range v.MarkingRefs {
		m, ok := s.markings.Marking(ref)
		if !ok {
			continue
		}
		if isTLP && string(m.TLP) == tlp {
			return true
		}
		if !isTLP && m.Releasability && slices.Contains(m.Audience, want) {
			return true
		}
	}
	return false
}

// objectData is an object's detail page.
type objectData struct {
	Latest   objectRow
	Props    []prop
	Raw      string
	Versions []objectRow
	RefsOut  []prop
	RefsIn   []objectRow
}

type prop struct {
	Key, Value string
	Link       bool
}

// maxRelated bounds the relationships shown on an object's page.
const maxRelated = 100

// object shows one shared object: its latest version's properties and
// markings, its version history and its relationships, all of them
// through the access decision. A hidden object is not found, exactly as a
// missing one.
func (s *Server) object(w http.ResponseWriter, r *http.Request, rq *request) error {
	id := r.PathValue("id")
	allow := func(v *kurultai.ObjectVersion) bool { return access.Decide(rq.p, v, s.markings) }
	page, err := s.store.ListObjects(r.Context(), kurultai.Query{Collection: seed.IntelCollectionID, IDs: []string{id},
		Versions: kurultai.VersionFilter{All: true}, Limit: 1000, WithRaw: true}, allow)
	if err != nil {
		return fmt.Errorf("web: object: %w", err)
	}
	if len(page.Items) == 0 {
		if err := s.auditRead(r, rq.p, kurultai.AuditEntry{Action: kurultai.ActionObjectRead, Query: "id=" + clip(id), Decision: kurultai.DecisionDeny, Detail: "web: not found or not visible"}); err != nil {
			return err
		}
		return kurultai.Errorf(kurultai.CodeNotFound, "no object %s", id)
	}
	items := slices.Clone(page.Items)
	sort.SliceStable(items, func(i, j int) bool { return items[i].VersionKey > items[j].VersionKey })
	latest := items[0]
	d := objectData{Latest: s.rowOf(latest)}
	var refs []kurultai.ObjectRef
	for _, v := range items {
		d.Versions = append(d.Versions, s.rowOf(v))
		refs = append(refs, kurultai.ObjectRef{ID: v.ID, Version: v.Version})
	}
	var obj map[string]any
	if err := json.Unmarshal(latest.Raw, &obj); err == nil {
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			switch val := obj[k].(type) {
			case string:
				if strings.HasSuffix(k, "_ref") {
					d.RefsOut = append(d.RefsOut, prop{Key: k, Value: val, Link: true})
				} else {
					d.Props = append(d.Props, prop{Key: k, Value: val})
				}
			case []any:
				if strings.HasSuffix(k, "_refs") {
					for _, x := range val {
						if sv, ok := x.(string); ok {
							d.RefsOut = append(d.RefsOut, prop{Key: k, Value: sv, Link: true})
						}
					}
					continue
				}
				b, _ := json.Marshal(val)
				d.Props = append(d.Props, prop{Key: k, Value: string(b)})
			case float64, bool:
				d.Props = append(d.Props, prop{Key: k, Value: fmt.Sprint(val)})
			}
		}
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, latest.Raw, "", "  ") == nil {
		d.Raw = pretty.String()
	}
	needle := []byte(`"` + id + `"`)
	rel, err := s.store.ListObjects(r.Context(), kurultai.Query{Collection: seed.IntelCollectionID, Types: []string{"relationship", "sighting"}, Limit: maxRelated, WithRaw: true},
		func(v *kurultai.ObjectVersion) bool { return bytes.Contains(v.Raw, needle) && allow(v) })
	if err != nil {
		return fmt.Errorf("web: object relationships: %w", err)
	}
	for _, v := range rel.Items {
		d.RefsIn = append(d.RefsIn, s.rowOf(v))
	}
	if err := s.auditRead(r, rq.p, kurultai.AuditEntry{Action: kurultai.ActionObjectRead, Objects: refs, Query: "id=" + clip(id),
		Detail: fmt.Sprintf("web: %d versions, %d related", len(refs), len(d.RefsIn))}); err != nil {
		return err
	}
	return s.render(w, r, rq, http.StatusOK, "object", firstNonEmpty(d.Latest.Name, id), "intel", d)
}

func (s *Server) rowOf(v *kurultai.ObjectVersion) objectRow {
	p := readProps(v.Raw)
	return objectRow{ID: v.ID, Type: v.Type, Name: p.title(), Originator: v.Originator, Modified: v.Modified, Added: v.DateAdded, Badges: s.badges(v)}
}
