// Package stixschema validates STIX 2.1 objects against the OASIS JSON
// schemas, read from a local copy (the shared/stix2-json-schemas folder
// beside the repository). It is for tests: the node never depends on the
// schemas at run time, and nothing here touches the network.
package stixschema

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// BaseURL is the prefix of the schemas' $id URLs.
const BaseURL = "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/"

// ErrNotFound means no local copy of the schemas was found.
var ErrNotFound = errors.New("stixschema: OASIS STIX 2.1 schemas not found")

// Find looks for shared/stix2-json-schemas/schemas beside the repository
// that contains the working directory, and returns the schemas folder.
func Find() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			cand := filepath.Join(dir, "..", "shared", "stix2-json-schemas", "schemas")
			if _, err := os.Stat(filepath.Join(cand, "common", "core.json")); err != nil {
				return "", fmt.Errorf("%w at %s", ErrNotFound, cand)
			}
			return cand, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("%w: no go.mod above the working directory", ErrNotFound)
		}
		dir = parent
	}
}

// Validator compiles schemas on demand, once each; safe for concurrent use.
type Validator struct {
	dir      string
	mu       sync.Mutex // guards compiler and compiled
	compiler *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema
}

// New returns a validator over the schemas folder dir.
func New(dir string) *Validator {
	c := jsonschema.NewCompiler()
	c.UseLoader(diskLoader{dir: dir})
	return &Validator{dir: dir, compiler: c, compiled: map[string]*jsonschema.Schema{}}
}

// Dir is the schemas folder.
func (v *Validator) Dir() string { return v.dir }

// diskLoader serves the schemas' http URLs from disk; anything else fails.
type diskLoader struct{ dir string }

func (l diskLoader) Load(url string) (any, error) {
	rel, ok := strings.CutPrefix(url, BaseURL)
	if !ok {
		return nil, fmt.Errorf("schema %s is not in the local copy (no network)", url)
	}
	f, err := os.Open(filepath.Join(l.dir, filepath.FromSlash(rel)))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return jsonschema.UnmarshalJSON(f)
}

// Schema returns the compiled schema at rel (e.g. "sdos/report.json").
func (v *Validator) Schema(rel string) (*jsonschema.Schema, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if sch, ok := v.compiled[rel]; ok {
		return sch, nil
	}
	sch, err := v.compiler.Compile(BaseURL + rel)
	if err != nil {
		return nil, fmt.Errorf("stixschema: compile %s: %w", rel, err)
	}
	v.compiled[rel] = sch
	return sch, nil
}

// SchemaFor returns the schema file for an object type; custom types get
// the common core schema.
func (v *Validator) SchemaFor(typ string) string {
	switch typ {
	case "marking-definition", "extension-definition", "language-content":
		return "common/" + typ + ".json"
	case "bundle":
		return "common/bundle.json"
	}
	for _, sub := range []string{"sdos", "sros", "observables"} {
		if _, err := os.Stat(filepath.Join(v.dir, sub, typ+".json")); err == nil {
			return sub + "/" + typ + ".json"
		}
	}
	return "common/core.json"
}

// Validate checks one object's JSON against the schema of its type.
func (v *Validator) Validate(raw []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("stixschema: %w", err)
	}
	obj, ok := inst.(map[string]any)
	if !ok {
		return fmt.Errorf("stixschema: not a JSON object")
	}
	typ, _ := obj["type"].(string)
	rel := v.SchemaFor(typ)
	sch, err := v.Schema(rel)
	if err != nil {
		return err
	}
	if err := sch.Validate(inst); err != nil {
		return fmt.Errorf("%s does not validate against %s: %w", typ, rel, err)
	}
	return nil
}
