// Package lang identifies the language of news text among the nine that
// early warning reads: Turkish, Azerbaijani, Kazakh, Kyrgyz, Uzbek (Latin
// and Cyrillic script), Russian, Arabic, English and Hungarian.
//
// It is small on purpose. The script decides the candidates (Arabic script
// means Arabic; Cyrillic means Russian, Kazakh, Kyrgyz or Cyrillic Uzbek;
// Latin means Turkish, Azerbaijani, Latin Uzbek, English or Hungarian), and
// a naive Bayes model over character 1- to 3-grams plus a short stop-word
// list per language decides among them. The letters that set a language
// apart (Azerbaijani ə, Kazakh ә ғ қ ұ һ і, Kyrgyz ң ө ү without them,
// Uzbek ў ҳ or oʻ gʻ, Hungarian ő ű) weigh twice: through the unigram
// model, and as a fixed penalty for every letter a model never saw in its
// training text. The models are
// trained at first use from short texts the project wrote in each language
// (train/*.txt, embedded); the tables take well under a megabyte.
package lang

import (
	"embed"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/kurultai/kurultai/internal/ew"
)

// Script is a writing system.
type Script string

// The scripts the identifier tells apart.
const (
	Latin    Script = "Latn"
	Cyrillic Script = "Cyrl"
	Arabic   Script = "Arab"
	Other    Script = ""
)

// Result is the full answer of Classify.
type Result struct {
	Lang       ew.Lang // ew.Unknown when the text has too few letters
	Script     Script  // the script of the chosen model (Uzbek comes in two)
	Confidence float64 // in [0, 1]: the model's posterior, tempered for length
	Letters    int     // letters read
	// Margin is the score lead of the answer over the runner-up in the
	// same script, per n-gram read (0 when there was no runner-up).
	Margin float64
}

// MinLetters is the fewest letters Classify needs to answer.
const MinLetters = 4

// maxRunes bounds the text read: the start of a long article says enough.
const maxRunes = 8000

//go:embed train/*.txt
var trainFS embed.FS

// class is one model: a language in one script.
type class struct {
	lang   ew.Lang
	script Script
	file   string
}

var classes = []class{
	{ew.Turkish, Latin, "tr"},
	{ew.Azerbaijani, Latin, "az"},
	{ew.Uzbek, Latin, "uz-latn"},
	{ew.English, Latin, "en"},
	{ew.Hungarian, Latin, "hu"},
	{ew.Russian, Cyrillic, "ru"},
	{ew.Kazakh, Cyrillic, "kk"},
	{ew.Kyrgyz, Cyrillic, "ky"},
	{ew.Uzbek, Cyrillic, "uz-cyrl"},
	{ew.Arabic, Arabic, "ar"},
}

const nClasses = 10

// Detector holds the trained models. It is immutable and safe for
// concurrent use.
type Detector struct {
	// grams maps an n-gram key to its row in logp.
	grams map[uint64]int32
	// logp holds, per n-gram row, the log-probability under each class.
	logp [][nClasses]float32
	// unseen is the log-probability of an n-gram a class never saw, per
	// order (index 0 for unigrams) and class.
	unseen [3][nClasses]float32
	// stop maps a folded word to the classes whose stop list holds it.
	stop map[string]uint16
	// foreign maps a non-ASCII letter to the classes whose training text
	// never uses it: Azerbaijani ə in a Turkish model, Kazakh ә ғ қ ұ һ і
	// in a Kyrgyz one, Uzbek ў ҳ in a Russian one.
	foreign map[rune]uint16
}

var defaultDetector = sync.OnceValue(func() *Detector {
	d, err := New()
	if err != nil {
		panic(err) // the embedded training text is part of the build
	}
	return d
})

// Default returns the detector trained on the embedded text, built once.
func Default() *Detector { return defaultDetector() }

// Detect returns the language of text and a confidence in [0, 1], or
// ew.Unknown and 0 when the text has fewer than MinLetters letters.
func Detect(text string) (ew.Lang, float64) { return Default().Detect(text) }

// DetectSentence is Detect for a single sentence of an article whose
// language is hint (ew.Unknown for none); see Detector.DetectSentence.
func DetectSentence(s string, hint ew.Lang) (ew.Lang, float64) {
	return Default().DetectSentence(s, hint)
}

// New trains a detector from the embedded training text.
func New() (*Detector, error) {
	d := &Detector{grams: make(map[uint64]int32, 1<<14), stop: make(map[string]uint16, 512), foreign: map[rune]uint16{}}
	seen := map[rune]uint16{} // non-ASCII letters per class
	var counts [][nClasses]float32
	var totals [3][nClasses]float64
	vocab := [3]int{}
	for ci, c := range classes {
		data, err := trainFS.ReadFile("train/" + c.file + ".txt")
		if err != nil {
			return nil, fmt.Errorf("lang: training text %s: %w", c.file, err)
		}
		eachGram(string(data), maxRunes*10, func(key uint64, order int) {
			row, ok := d.grams[key]
			if !ok {
				row = int32(len(counts))
				d.grams[key] = row
				counts = append(counts, [nClasses]float32{})
				vocab[order-1]++
			}
			counts[row][ci]++
			totals[order-1][ci]++
		})
		for _, r := range string(data) {
			if r = foldRune(r); r >= utf8.RuneSelf {
				seen[r] |= 1 << ci
			}
		}
		for _, w := range stopWords[c.file] {
			d.stop[w] |= 1 << ci
		}
	}
	for r, m := range seen {
		var sameScript uint16
		for ci, c := range classes {
			if m&(1<<ci) != 0 {
				for cj, c2 := range classes {
					if c2.script == c.script {
						sameScript |= 1 << cj
					}
				}
			}
		}
		if f := sameScript &^ m; f != 0 {
			d.foreign[r] = f
		}
	}
	d.logp = make([][nClasses]float32, len(counts))
	for key, row := range d.grams {
		o := keyOrder(key) - 1
		for ci := range classes {
			d.logp[row][ci] = float32(math.Log((float64(counts[row][ci]) + alpha) / (totals[o][ci] + alpha*float64(vocab[o]))))
		}
	}
	for o := range 3 {
		for ci := range classes {
			d.unseen[o][ci] = float32(math.Log(alpha / (totals[o][ci] + alpha*float64(vocab[o]))))
		}
	}
	return d, nil
}

// alpha is the additive smoothing of the n-gram models.
const alpha = 0.5

// weights of each n-gram order in the score, and of a stop word.
var orderWeight = [3]float32{0.5, 0.8, 1.0}

const stopWeight = 2.5

// foreignPenalty is what each letter a model never saw costs it, on top of
// the n-gram models' own smoothing.
const foreignPenalty = 4

// Detect returns the language of text and a confidence in [0, 1], or
// ew.Unknown and 0 when the text has fewer than MinLetters letters.
func (d *Detector) Detect(text string) (ew.Lang, float64) {
	r := d.Classify(text)
	return r.Lang, r.Confidence
}

// hintBonus is the head start per n-gram that a sentence's article
// language gets in DetectSentence. On the corpus, sentences detected alone
// lead the runner-up by 0.5 per n-gram at the median and by more than 0.2
// in 95% of cases, while the mistakes lead by a few hundredths: a head
// start of 0.3 settles short, name-heavy or mixed sentences and leaves a
// clearly foreign quotation to its own language.
const hintBonus = 0.3

// DetectSentence returns the language of one sentence of an article whose
// language is hint. A short sentence says little about its language, so
// the article's language gets a head start; a quoted sentence in another
// language still wins when its evidence is clear. With hint ew.Unknown it
// is Detect.
func (d *Detector) DetectSentence(s string, hint ew.Lang) (ew.Lang, float64) {
	r := d.classify(s, hint)
	return r.Lang, r.Confidence
}

// Classify returns the language, script and confidence of text.
func (d *Detector) Classify(text string) Result { return d.classify(text, ew.Unknown) }

func (d *Detector) classify(text string, hint ew.Lang) Result {
	var scripts [3]int // Latin, Cyrillic, Arabic letters
	for i, n := 0, 0; i < len(text) && n < maxRunes; n++ {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		switch {
		case r < 'A':
		case r <= 'z' && (r <= 'Z' || r >= 'a'):
			scripts[0]++
		case r < 0xC0:
		case unicode.Is(unicode.Latin, r):
			scripts[0]++
		case unicode.Is(unicode.Cyrillic, r):
			scripts[1]++
		case unicode.Is(unicode.Arabic, r) && unicode.IsLetter(r):
			scripts[2]++
		}
	}
	letters := scripts[0] + scripts[1] + scripts[2]
	if letters < MinLetters {
		return Result{Letters: letters}
	}
	script := Latin
	switch {
	case scripts[2] >= scripts[0] && scripts[2] >= scripts[1]:
		return Result{Lang: ew.Arabic, Script: Arabic, Confidence: float64(scripts[2]) / float64(letters), Letters: letters}
	case scripts[1] > scripts[0]:
		script = Cyrillic
	}
	var score [nClasses]float32
	n := 0
	eachGram(text, maxRunes, func(key uint64, order int) {
		n++
		w := orderWeight[order-1]
		if row, ok := d.grams[key]; ok {
			lp := &d.logp[row]
			for ci := range score {
				score[ci] += w * lp[ci]
			}
			return
		}
		u := &d.unseen[order-1]
		for ci := range score {
			score[ci] += w * u[ci]
		}
	})
	for i, k := 0, 0; i < len(text) && k < maxRunes; k++ {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		if r < 0xC0 {
			continue
		}
		if m := d.foreign[foldRune(r)]; m != 0 {
			for ci := range score {
				if m&(1<<ci) != 0 {
					score[ci] -= foreignPenalty
				}
			}
		}
	}
	eachWord(text, maxRunes, func(w []byte) {
		if m := d.stop[string(w)]; m != 0 { // no allocation: the compiler looks up bytes
			for ci := range score {
				if m&(1<<ci) != 0 {
					score[ci] += stopWeight
				}
			}
		}
	})
	best, second := -1, -1
	for ci, c := range classes {
		if c.script != script {
			continue
		}
		if c.lang == hint && hint != ew.Unknown {
			score[ci] += hintBonus * float32(n)
		}
		switch {
		case best < 0 || score[ci] > score[best]:
			best, second = ci, best
		case second < 0 || score[ci] > score[second]:
			second = ci
		}
	}
	conf, perGram := 1.0, 0.0
	if second >= 0 {
		// Naive Bayes sums correlated n-grams and so overstates its
		// certainty; the lead per n-gram, scaled by the square root of the
		// evidence, gives a confidence that grows with length but stays
		// low for a short text whose languages score alike.
		perGram = float64(score[best]-score[second]) / float64(max(n, 1))
		conf = 1 - math.Exp(-perGram*math.Sqrt(float64(n)))
	}
	return Result{Lang: classes[best].lang, Script: script, Confidence: conf, Letters: letters, Margin: perGram}
}

// Languages returns the languages the detector knows, with the scripts of
// each, for documentation and tests.
func Languages() map[ew.Lang][]Script {
	out := map[ew.Lang][]Script{}
	for _, c := range classes {
		out[c.lang] = append(out[c.lang], c.script)
	}
	for _, s := range out {
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	}
	return out
}

// TableBytes estimates the memory the detector's tables take.
func (d *Detector) TableBytes() int {
	size := len(d.logp) * nClasses * 4 // probabilities
	size += len(d.grams) * (8 + 4 + 4) // map keys, values, overhead
	for w := range d.stop {
		size += len(w) + 16 + 2
	}
	size += len(d.foreign) * (4 + 2 + 4)
	return size
}

// String describes the detector.
func (d *Detector) String() string {
	var names []string
	for _, c := range classes {
		names = append(names, c.file)
	}
	return fmt.Sprintf("lang.Detector{%d n-grams, %d stop words, models %s}", len(d.grams), len(d.stop), strings.Join(names, " "))
}
