// Package gazetteer finds places and organizations named in early-warning
// text: the member and observer states of the Organization of Turkic
// States, their regions and main cities, their neighbours, and the
// international organizations that act in a crisis (OTS, CSTO, SCO, UN, EU,
// CIS), in the nine languages early warning reads.
//
// The names are data (data/*.yaml, embedded). Matching folds case by the
// text's language, then walks a trie of name stems word by word, so that a
// stem may carry the case, number and derivation endings of the text's
// language (Turkish Almatı'da, Russian Казахстана, Kazakh Алматыда,
// Hungarian Kazahsztánban); Arabic words are also tried without their
// proclitics (و ب ل ال ...). The longest name wins.
package gazetteer

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/gazetteer/tok"
)

//go:embed data/*.yaml
var dataFS embed.FS

// Kind is what a name refers to.
type Kind string

// The kinds of names.
const (
	KindCountry Kind = "country"
	KindRegion  Kind = "region"
	KindCity    Kind = "city"
	KindOrg     Kind = "org"
)

// Mention is one name found in a text.
type Mention struct {
	ew.Span
	Kind    Kind
	Name    string // English canonical name
	Country string // ISO 3166 alpha-2 of the place (empty for organizations)
	Org     string // short name of the organization (empty for places)
}

// Entry is one place or organization of the gazetteer.
type Entry struct {
	Name    string   `yaml:"name"`
	Kind    Kind     `yaml:"kind"`
	Country string   `yaml:"country"`
	Org     string   `yaml:"org"`
	Names   []string `yaml:"names"`
}

// Gazetteer matches names in text. It is safe for concurrent use.
type Gazetteer struct {
	entries    []Entry
	stems      stemTrie
	phrase     map[uint64]int32 // (phrase node << 32 | stem ref) -> child node
	terminal   map[int32]int32  // phrase node -> entry index
	nodes      int32            // phrase nodes allocated; 0 is the root
	countries  map[string]int   // alpha-2 -> entry index
	suffixes   map[ew.Lang]map[string]bool
	proclitics []string
}

// New returns the gazetteer built from the embedded data.
func New() (*Gazetteer, error) {
	return Load(dataFS, "data")
}

// Load builds a gazetteer from the *.yaml files in dir of fsys.
func Load(fsys fs.FS, dir string) (*Gazetteer, error) {
	files, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("gazetteer: %w", err)
	}
	var entries []Entry
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("gazetteer: %w", err)
		}
		es, err := Parse(b, f)
		if err != nil {
			return nil, err
		}
		entries = append(entries, es...)
	}
	return Build(entries)
}

// Parse reads entries from YAML data; file names the source in errors.
func Parse(data []byte, file string) ([]Entry, error) {
	var nodes []yaml.Node
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("gazetteer: %s: %w", file, err)
	}
	if root.Kind == 0 {
		return nil, nil
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) != 1 || root.Content[0].Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("gazetteer: %s: want a list of entries", file)
	}
	for _, n := range root.Content[0].Content {
		nodes = append(nodes, *n)
	}
	out := make([]Entry, 0, len(nodes))
	for _, n := range nodes {
		var e Entry
		if err := n.Decode(&e); err != nil {
			return nil, fmt.Errorf("gazetteer: %s:%d: %w", file, n.Line, err)
		}
		if err := e.validate(); err != nil {
			return nil, fmt.Errorf("gazetteer: %s:%d: %w", file, n.Line, err)
		}
		out = append(out, e)
	}
	return out, nil
}

func (e *Entry) validate() error {
	if e.Name == "" {
		return fmt.Errorf("entry has no name")
	}
	switch e.Kind {
	case KindCountry, KindRegion, KindCity:
		if len(e.Country) != 2 || strings.ToUpper(e.Country) != e.Country {
			return fmt.Errorf("%s: country %q is not an ISO 3166 alpha-2 code", e.Name, e.Country)
		}
		if e.Org != "" {
			return fmt.Errorf("%s: a place has no org", e.Name)
		}
	case KindOrg:
		if e.Org == "" {
			return fmt.Errorf("%s: org has no short name", e.Name)
		}
	default:
		return fmt.Errorf("%s: kind %q is not country, region, city or org", e.Name, e.Kind)
	}
	if len(e.Names) == 0 {
		return fmt.Errorf("%s: no names", e.Name)
	}
	return nil
}

// Build makes a gazetteer of entries. Two entries may not share a name.
func Build(entries []Entry) (*Gazetteer, error) {
	g := &Gazetteer{
		entries:    entries,
		phrase:     map[uint64]int32{},
		terminal:   map[int32]int32{},
		nodes:      1,
		countries:  map[string]int{},
		suffixes:   suffixSets(),
		proclitics: strings.Fields(arabicProclitics),
	}
	sb := newStemBuilder()
	for i, e := range entries {
		if err := e.validate(); err != nil {
			return nil, fmt.Errorf("gazetteer: %w", err)
		}
		if e.Kind == KindCountry {
			g.countries[e.Country] = i
		}
		for _, name := range e.Names {
			words, err := parseName(name)
			if err != nil {
				return nil, fmt.Errorf("gazetteer: %s: %w", e.Name, err)
			}
			node := int32(0)
			for _, w := range words {
				ref := sb.add(w)
				key := uint64(node)<<32 | uint64(ref)
				next, ok := g.phrase[key]
				if !ok {
					next = g.nodes
					g.nodes++
					g.phrase[key] = next
				}
				node = next
			}
			if prev, ok := g.terminal[node]; ok && int(prev) != i {
				if entries[prev].Name != e.Name {
					return nil, fmt.Errorf("gazetteer: name %q of %s is already a name of %s", name, e.Name, entries[prev].Name)
				}
			}
			if _, ok := g.terminal[node]; !ok {
				g.terminal[node] = int32(i)
			}
		}
	}
	g.stems = sb.build()
	return g, nil
}

// Country returns the English name of the country with alpha-2 code cc.
func (g *Gazetteer) Country(cc string) (string, bool) {
	i, ok := g.countries[cc]
	if !ok {
		return "", false
	}
	return g.entries[i].Name, true
}

// Entries returns the gazetteer's entries in data order.
func (g *Gazetteer) Entries() []Entry { return g.entries }

// word is one word of a name: the folded stem and what case it needs.
type word struct {
	stem  string
	caps  bool // must be all capitals in text
	title bool // must start with a capital
}

// parseName splits a name into words: "Организаци|я Договор|а" gives the
// stems организаци and договор, both needing a capital for the first.
func parseName(name string) ([]word, error) {
	var words []word
	for _, raw := range strings.FieldsFunc(name, func(r rune) bool { return r == ' ' || r == '-' || r == '.' }) {
		stem := raw
		if i := strings.IndexByte(raw, '|'); i >= 0 {
			stem = raw[:i]
			if strings.Contains(raw[i+1:], "|") {
				return nil, fmt.Errorf("name %q: more than one | in a word", name)
			}
		}
		d := tok.Tokenize(stem, ew.Unknown, nil)
		if len(d.Tokens) != 1 || d.Tokens[0].Start != 0 || d.Tokens[0].End != len(stem) {
			return nil, fmt.Errorf("name %q: %q is not one word", name, stem)
		}
		t := d.Tokens[0]
		key := looseKey(d.Key(0))
		if isArabic(key) && strings.HasPrefix(key, "ال") && utf8.RuneCountInString(key) > 3 {
			key = strings.TrimPrefix(key, "ال")
		}
		words = append(words, word{stem: key, caps: t.Caps, title: t.Title})
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("empty name")
	}
	return words, nil
}

// looseKey maps dotless ı to i, so names match whether or not a writer
// (or the text's language tag) used Turkish casing.
func looseKey(s string) string {
	if !strings.Contains(s, "ı") {
		return s
	}
	return strings.ReplaceAll(s, "ı", "i")
}

func isArabic(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r >= 0x600 && r <= 0x6FF
}

// sortedKeys is for deterministic iteration in builders.
func sortedKeys(m map[string]int32) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
