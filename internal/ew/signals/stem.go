package signals

import (
	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/arabic"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/hungarian"
	"github.com/blevesearch/snowballstem/russian"
	"github.com/blevesearch/snowballstem/turkish"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/gazetteer/tok"
)

// stemmerOf returns the Snowball stemmer of l, or nil. Snowball has
// English, Russian, Turkish, Hungarian and Arabic; the other Turkic
// languages (Azerbaijani, Kazakh, Kyrgyz, Uzbek) use prefix terms.
func stemmerOf(l ew.Lang) func(*snowballstem.Env) bool {
	switch l {
	case ew.English:
		return english.Stem
	case ew.Russian:
		return russian.Stem
	case ew.Turkish:
		return turkish.Stem
	case ew.Hungarian:
		return hungarian.Stem
	case ew.Arabic:
		return arabic.Stem
	}
	return nil
}

func hasStemmer(l ew.Lang) bool { return stemmerOf(l) != nil }

// stem returns the Snowball stem of a folded word.
func stem(l ew.Lang, word string) string {
	f := stemmerOf(l)
	if f == nil {
		return word
	}
	env := snowballstem.NewEnv(word)
	f(env)
	return env.Current()
}

// foldWords returns the folded keys of the words of s.
func foldWords(s string, l ew.Lang) []string {
	d := tok.Tokenize(s, l, nil)
	out := make([]string, len(d.Tokens))
	for i := range d.Tokens {
		out[i] = d.Key(i)
	}
	return out
}
