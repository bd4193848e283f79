package pipeline

import (
	"sort"
	"strings"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/dates"
	"github.com/kurultai/kurultai/internal/ew/text"
)

// Word lists for dating an event (coding rule 4) beyond what
// internal/ew/dates reads: counts of days ("four days after the
// protests"), dates that end a period ("until 19 January") and the Russian
// "накануне" (the day before). Words are folded; a trailing * matches any
// ending.
var (
	// numberWords are the numbers of days a text spells out, per language.
	numberWords = map[ew.Lang]string{
		ew.English:     "one:1 two:2 three:3 four:4 five:5 six:6 seven:7 eight:8 nine:9 ten:10 eleven:11 twelve:12 thirteen:13 fourteen:14",
		ew.Russian:     "один:1 одного:1 два:2 двух:2 три:3 трех:3 четыре:4 четырех:4 пять:5 пяти:5 шесть:6 шести:6 семь:7 семи:7 восемь:8 восьми:8 девять:9 девяти:9 десять:10 десяти:10",
		ew.Turkish:     "bir:1 iki:2 üç:3 dört:4 beş:5 altı:6 yedi:7 sekiz:8 dokuz:9 on:10",
		ew.Azerbaijani: "bir:1 iki:2 üç:3 dörd:4 beş:5 altı:6 yeddi:7 səkkiz:8 doqquz:9 on:10",
		ew.Kazakh:      "бір:1 екі:2 үш:3 төрт:4 бес:5 алты:6 жеті:7 сегіз:8 тоғыз:9 он:10",
		ew.Kyrgyz:      "бир:1 эки:2 үч:3 төрт:4 беш:5 алты:6 жети:7 сегиз:8 тогуз:9 он:10",
		ew.Uzbek: "bir:1 ikki:2 uch:3 to'rt:4 besh:5 olti:6 yetti:7 sakkiz:8 to'qqiz:9 o'n:10 " +
			"бир:1 икки:2 уч:3 тўрт:4 беш:5 олти:6 етти:7 саккиз:8 тўққиз:9 ўн:10",
		ew.Arabic:    "واحد:1 يومين:2 ثلاثه:3 اربعه:4 خمسه:5 سته:6 سبعه:7 ثمانيه:8 تسعه:9 عشره:10",
		ew.Hungarian: "egy:1 két:2 kettő:2 három:3 négy:4 öt:5 hat:6 hét:7 nyolc:8 kilenc:9 tíz:10",
	}
	// dayWords name the unit after the number.
	dayWords = map[ew.Lang]string{
		ew.English: "day days", ew.Russian: "день дня дней сутки суток",
		ew.Turkish: "gün*", ew.Azerbaijani: "gün*", ew.Kazakh: "күн*", ew.Kyrgyz: "күн*",
		ew.Uzbek: "kun* кун*", ew.Arabic: "يوم يوما ايام", ew.Hungarian: "nap*",
	}
	// afterWords say the count runs back from a later date.
	afterWords = map[ew.Lang]string{
		ew.English: "after later", ew.Russian: "после через спустя прошло прошли",
		ew.Turkish: "sonra*", ew.Azerbaijani: "sonra* keçib keçdi", ew.Kazakh: "кейін өткен* өтті",
		ew.Kyrgyz: "кийин өттү өткөн*", ew.Uzbek: "keyin* o'tgan* o'tdi кейин* ўтган* ўтди",
		ew.Arabic: "بعد مرور", ew.Hungarian: "után telt múlva később",
	}
	// untilBefore precede, and untilAfter follow, a date that ends a
	// period; such a date is when something lasts to, not when it happened.
	untilBefore = map[ew.Lang]string{
		ew.English: "until till", ew.Russian: "до", ew.Arabic: "حتي لغايه",
	}
	untilAfter = map[ew.Lang]string{
		ew.Turkish: "kadar dek", ew.Azerbaijani: "qədər dək", ew.Kazakh: "дейін", ew.Kyrgyz: "чейин",
	}
	// untilEndings are endings of the date's own last word with that
	// meaning (Uzbek "19 yanvargacha", Hungarian "január 19-ig").
	untilEndings = map[ew.Lang]string{
		ew.Uzbek: "gacha гача", ew.Hungarian: "ig",
	}
)

// dateWords holds the compiled word lists of one language.
type dateWords struct {
	numbers                 map[string]int
	days, after             []string
	untilBefore, untilAfter []string
	untilEndings            []string
}

// foldWords folds a space-separated word list for language l, keeping a
// trailing * (any ending).
func foldWords(l ew.Lang, s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		star := strings.HasSuffix(f, "*")
		w := text.Fold(text.Normalize(strings.TrimSuffix(f, "*")), l)
		if star {
			w += "*"
		}
		out = append(out, w)
	}
	return out
}

// compileWords folds per-language word lists.
func compileWords(src map[ew.Lang]string) map[ew.Lang][]string {
	out := map[ew.Lang][]string{}
	for l, s := range src {
		out[l] = foldWords(l, s)
	}
	return out
}

func compileDateWords() map[ew.Lang]*dateWords {
	fold := foldWords
	out := map[ew.Lang]*dateWords{}
	for _, l := range ew.Languages {
		w := &dateWords{numbers: map[string]int{}}
		for _, f := range strings.Fields(numberWords[l]) {
			k, v, _ := strings.Cut(f, ":")
			n := 0
			for _, c := range v {
				n = n*10 + int(c-'0')
			}
			w.numbers[text.Fold(text.Normalize(k), l)] = n
		}
		w.days = fold(l, dayWords[l])
		w.after = fold(l, afterWords[l])
		w.untilBefore = fold(l, untilBefore[l])
		w.untilAfter = fold(l, untilAfter[l])
		w.untilEndings = fold(l, untilEndings[l])
		out[l] = w
	}
	return out
}

// wordIn reports whether folded word w is one of list (a trailing * in
// list matching any ending).
func wordIn(w string, list []string) bool {
	for _, x := range list {
		if strings.HasSuffix(x, "*") {
			if strings.HasPrefix(w, x[:len(x)-1]) {
				return true
			}
		} else if w == x {
			return true
		}
	}
	return false
}

// words is a sentence's tokens with their folded forms.
type words struct {
	toks  []text.Token
	folds []string
}

func newWords(s string, l ew.Lang) words {
	toks := text.Tokens(s)
	w := words{toks: toks, folds: make([]string, len(toks))}
	for i, t := range toks {
		w.folds[i] = text.Fold(t.Text, l)
	}
	return w
}

// daysAfter finds "N days after" in a sentence: the count and the span of
// the number and day words, relative to the sentence.
func (w words) daysAfter(dw *dateWords) (int, ew.Span, bool) {
	hasAfter := false
	for _, f := range w.folds {
		if wordIn(f, dw.after) {
			hasAfter = true
			break
		}
	}
	if !hasAfter {
		return 0, ew.Span{}, false
	}
	for i, f := range w.folds {
		n, ok := dw.numbers[f]
		if !ok && w.toks[i].IsNumber() {
			n = atoi(f)
			ok = n > 0 && n < 100
		}
		if !ok {
			continue
		}
		if f == "يومين" { // the Arabic dual: "two days" in one word
			return 2, w.toks[i].Span, true
		}
		if i+1 < len(w.folds) && wordIn(w.folds[i+1], dw.days) {
			return n, ew.Span{Start: w.toks[i].Span.Start, End: w.toks[i+1].Span.End}, true
		}
	}
	return 0, ew.Span{}, false
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' || n > 1000 {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// until reports whether date mention m (offsets relative to the
// sentence whose words are w) ends a period rather than dates an event.
func (w words) until(m dates.Mention, dw *dateWords, l ew.Lang) bool {
	last := text.Fold(m.Text, l)
	for _, e := range dw.untilEndings {
		if strings.HasSuffix(last, e) {
			return true
		}
	}
	// The word before the date, and the word after it.
	i := sort.Search(len(w.toks), func(i int) bool { return w.toks[i].Span.Start >= m.Span.Start })
	if i > 0 && wordIn(w.folds[i-1], dw.untilBefore) {
		return true
	}
	j := sort.Search(len(w.toks), func(j int) bool { return w.toks[j].Span.Start >= m.Span.End })
	return j < len(w.toks) && wordIn(w.folds[j], dw.untilAfter)
}

// eve reports whether the sentence uses Russian "накануне" for the day
// before publication ("накануне вечером"), not "on the eve of" something.
func (w words) eve(l ew.Lang) bool {
	if l != ew.Russian {
		return false
	}
	for i, f := range w.folds {
		if f != "накануне" {
			continue
		}
		if i+1 == len(w.folds) {
			return true
		}
		switch w.folds[i+1] {
		case "вечером", "днем", "утром", "ночью":
			return true
		}
	}
	return false
}

// clause returns the bounds of the clause around offset off of sentence s:
// the text between clause punctuation (, ; : parentheses and their Arabic
// forms).
func clause(s string, off int) (int, int) {
	const breaks = ",;:()،؛"
	lo := strings.LastIndexAny(s[:off], breaks) + 1
	hi := strings.IndexAny(s[off:], breaks)
	if hi < 0 {
		hi = len(s)
	} else {
		hi += off
	}
	return lo, hi
}
