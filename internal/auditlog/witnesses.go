package auditlog

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/kurultai/kurultai/internal/trust"
)

// WitnessesDir is where, under a node's data directory, the key documents
// of the witnesses it accepts cosignatures from are kept (*.json, one per
// witness, as 'kurultai key export' prints them).
const WitnessesDir = "witnesses"

// LoadWitnesses reads the witness key documents in dir, in name order. A
// missing directory means no witnesses; two documents for one participant
// are an error.
func LoadWitnesses(dir string) ([]trust.KeysDocument, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("auditlog: witnesses: %w", err)
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	slices.Sort(files)
	var docs []trust.KeysDocument
	seen := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("auditlog: witnesses: %w", err)
		}
		d, err := trust.ParseKeysDocument(data)
		if err != nil {
			return nil, fmt.Errorf("auditlog: witnesses: %s: %w", f, err)
		}
		if other, ok := seen[d.Participant]; ok {
			return nil, fmt.Errorf("auditlog: witnesses: %s and %s are both for %s", other, f, d.Participant)
		}
		seen[d.Participant] = f
		docs = append(docs, d)
	}
	return docs, nil
}
