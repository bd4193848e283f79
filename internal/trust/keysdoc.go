package trust

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/kurultai/kurultai/internal/jcs"
)

// WellKnownPath is where a node serves its key document.
const WellKnownPath = "/.well-known/kurultai/keys"

// KeysDocument is a node's published public keys:
//
//	{"node": "identity--…", "participant": "KZ",
//	 "keys": [{"key_id": "…", "alg": "ed25519", "public_key": "<base64url>",
//	           "created": "…Z", "retired": "…Z"}]}
//
// node is the node's STIX identity id, participant the code its
// signatures name; retired is absent for the current key.
type KeysDocument struct {
	Node        string
	Participant string
	Keys        []PublicKey
}

type keysDocumentJSON struct {
	Node        string    `json:"node"`
	Participant string    `json:"participant"`
	Keys        []keyJSON `json:"keys"`
}

// Document returns the key document of a node whose keyring this is.
func (k *Keyring) Document(node, participant string) KeysDocument {
	return KeysDocument{Node: node, Participant: participant, Keys: k.Keys()}
}

// MarshalJSON writes the document in the documented form.
func (d KeysDocument) MarshalJSON() ([]byte, error) {
	dj := keysDocumentJSON{Node: d.Node, Participant: d.Participant, Keys: []keyJSON{}}
	for _, p := range d.Keys {
		dj.Keys = append(dj.Keys, p.json())
	}
	return json.Marshal(dj)
}

// ParseKeysDocument reads a key document. It is strict: the text must be
// I-JSON (no repeated names), every member must be known and exactly
// spelled, node must be an identity id, participant a participant code,
// and every key id must be that of its key.
func ParseKeysDocument(data []byte) (KeysDocument, error) {
	var d KeysDocument
	if _, err := jcs.Canonicalize(data); err != nil {
		return d, fmt.Errorf("trust: keys document: %s", jsonMessage(err))
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return d, errors.New("trust: keys document: not a JSON object")
	}
	if err := exactMembers("", top, "node", "participant", "keys"); err != nil {
		return d, err
	}
	if err := json.Unmarshal(top["node"], &d.Node); err != nil {
		return d, errors.New("trust: keys document: node: must be a string")
	}
	if !identityID(d.Node) {
		return d, fmt.Errorf("trust: keys document: node: %q is not a STIX identity id", clip(d.Node))
	}
	if err := json.Unmarshal(top["participant"], &d.Participant); err != nil || !participantCode.MatchString(d.Participant) {
		return d, errors.New("trust: keys document: participant: must be a participant code (2 to 10 letters A-Z)")
	}
	var raws []map[string]json.RawMessage
	if err := json.Unmarshal(top["keys"], &raws); err != nil {
		return d, errors.New("trust: keys document: keys: must be a list of objects")
	}
	kjs := make([]keyJSON, len(raws))
	for i, r := range raws {
		f := fmt.Sprintf("keys[%d]", i)
		if r == nil {
			return d, fmt.Errorf("trust: keys document: %s: must be an object", f)
		}
		if err := exactMembers(f, r, "key_id", "alg", "public_key", "created", "retired?"); err != nil {
			return d, err
		}
		for name, dst := range map[string]*string{"key_id": &kjs[i].KeyID, "alg": &kjs[i].Alg, "public_key": &kjs[i].PublicKey, "created": &kjs[i].Created, "retired": &kjs[i].Retired} {
			if v, ok := r[name]; ok {
				if err := json.Unmarshal(v, dst); err != nil {
					return d, fmt.Errorf("trust: keys document: %s.%s: must be a string", f, name)
				}
			}
		}
	}
	keys, err := parseKeys("keys", kjs)
	if err != nil {
		return d, fmt.Errorf("trust: keys document: %w", err)
	}
	d.Keys = keys
	return d, nil
}

// exactMembers checks that m has the required names (a trailing "?" marks
// an optional one) and no others.
func exactMembers(field string, m map[string]json.RawMessage, names ...string) error {
	prefix := "trust: keys document: "
	if field != "" {
		prefix += field + "."
	}
	known := make(map[string]bool, len(names))
	for _, n := range names {
		opt := strings.HasSuffix(n, "?")
		n = strings.TrimSuffix(n, "?")
		known[n] = true
		if _, ok := m[n]; !ok && !opt {
			return fmt.Errorf("%s%s: required", prefix, n)
		}
	}
	var unknown []string
	for n := range m {
		if !known[n] {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return fmt.Errorf("%s%s: unknown member", prefix, clip(unknown[0]))
	}
	return nil
}

// identityID reports whether s is "identity--" and a lower-case UUID.
func identityID(s string) bool {
	u, ok := strings.CutPrefix(s, "identity--")
	if !ok || len(u) != 36 || strings.ToLower(u) != u {
		return false
	}
	_, err := uuid.Parse(u)
	return err == nil
}

// LoadKeySet reads key documents from path: one file, or every *.json
// file of a directory.
func LoadKeySet(path string) (*KeySet, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("trust: keys: %w", err)
	}
	files := []string{path}
	if fi.IsDir() {
		if files, err = filepath.Glob(filepath.Join(path, "*.json")); err != nil {
			return nil, fmt.Errorf("trust: keys: %w", err)
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("trust: keys: no *.json key documents in %s", path)
		}
	}
	ks := NewKeySet()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("trust: keys: %w", err)
		}
		d, err := ParseKeysDocument(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if err := ks.AddDocument(d); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	return ks, nil
}

// KeysHandler serves a key document (GET and HEAD) as JSON. The document
// is public: mount the handler outside authentication, at WellKnownPath.
func KeysHandler(d KeysDocument) (http.Handler, error) {
	body, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("trust: keys handler: %w", err)
	}
	body = append(body, '\n')
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "public, max-age=300")
		h.Set("X-Content-Type-Options", "nosniff")
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(body)
	}), nil
}
