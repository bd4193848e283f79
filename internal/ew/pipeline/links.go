package pipeline

import (
	"strings"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/dates"
	"github.com/kurultai/kurultai/internal/ew/gazetteer"
	"github.com/kurultai/kurultai/internal/ew/text"
)

// linkCues are phrases that carry the date of the event just reported
// over to the sentence at hand (coding rule 4: "the same day", "that
// evening"). A sentence without a date of its own that has one takes the
// last date written before it. Each line is one phrase; words match
// folded and whole, except that a word ending in * matches any ending.
var linkCues = map[ew.Lang]string{
	ew.English: `the same day
same day
that day
that evening
that night
later that day`,
	ew.Russian: `в тот же день
в этот же день
в тот же вечер
тем же вечером
в тот день
в этот день
в тот же вечер`,
	ew.Turkish: `aynı gün*
o gün*
aynı akşam*
o akşam*`,
	ew.Azerbaijani: `həmin gün*
elə həmin gün*
həmin axşam*
eyni gün*`,
	ew.Kazakh: `сол күн*
сол кеш*
дәл сол күн*`,
	ew.Kyrgyz: `ошол эле күн*
ошол күн*
ошол кеч*
ошол эле кеч*`,
	ew.Uzbek: `o'sha kun*
shu kun*
o'sha oqshom*
ўша кун*
шу кун*`,
	ew.Arabic: `اليوم نفسه
نفس اليوم
ذلك اليوم
اليوم ذاته
مساء اليوم نفسه
ذات اليوم`,
	ew.Hungarian: `aznap*
ugyanaznap*
ugyanazon a napon
még aznap*
azon a napon`,
}

// meetingCues refer back to a meeting the item reports ("at the end of
// the meeting", "по итогам встречи"); a sentence without a date of its own
// that has one takes the meeting's date (coding rule 4).
var meetingCues = map[ew.Lang]string{
	ew.English: `at the meeting
after the meeting
end of the meeting
following the meeting`,
	ew.Russian: `по итогам встречи
по итогам заседания
по итогам переговоров
на встрече
на заседании`,
	ew.Turkish: `toplantı* sonunda
toplantıda
toplantı* ardından`,
	ew.Azerbaijani: `iclas* sonunda
iclasda
iclas* yekunlarına`,
	ew.Kazakh: `отырыс қорытынды*
отырыста
кездесу қорытынды*`,
	ew.Kyrgyz: `жыйындын жыйынтыг*
жыйында
жолугушуунун жыйынтыг*`,
	ew.Uzbek: `yig'ilish yakunida
yig'ilishda
йиғилиш якунида
йиғилишда`,
	ew.Arabic: `ختام الاجتماع
خلال الاجتماع
نهايه الاجتماع`,
	ew.Hungarian: `ülés végén
az ülésen
a találkozón
találkozó végén`,
}

// compileLinks folds the cue phrases into word lists.
func compileLinks(cues map[ew.Lang]string) map[ew.Lang][][]string {
	out := map[ew.Lang][][]string{}
	for l, src := range cues {
		for _, line := range strings.Split(src, "\n") {
			var words []string
			for _, f := range strings.Fields(line) {
				star := strings.HasSuffix(f, "*")
				w := text.Fold(text.Normalize(strings.TrimSuffix(f, "*")), l)
				if star {
					w += "*"
				}
				words = append(words, w)
			}
			if len(words) > 0 {
				out[l] = append(out[l], words)
			}
		}
	}
	return out
}

// linkedDate is the date a sentence takes over by a link cue: the last
// date written before the sentence, or the zero date when the sentence has
// no cue or no date precedes it.
func (p *Pipeline) linkedDate(body string, sp ew.Span, l ew.Lang, when []dates.Mention) ew.Date {
	cues := p.links[l]
	if len(cues) == 0 {
		return ew.Date{}
	}
	prev := lastBefore(when, sp.Start)
	if prev.IsZero() {
		return prev
	}
	toks := text.Tokens(body[sp.Start:sp.End])
	words := make([]string, len(toks))
	for i, tk := range toks {
		words[i] = text.Fold(tk.Text, l)
	}
	for _, c := range cues {
		if hasPhrase(words, c) {
			return prev
		}
	}
	return ew.Date{}
}

// anyPhrase reports whether words contain one of the phrases.
func anyPhrase(words []string, phrases [][]string) bool {
	for _, c := range phrases {
		if hasPhrase(words, c) {
			return true
		}
	}
	return false
}

// hasPhrase reports whether words contain the phrase, a trailing * on a
// phrase word matching any ending and Arabic proclitics being allowed on
// the first word.
func hasPhrase(words, phrase []string) bool {
	for i := 0; i+len(phrase) <= len(words); i++ {
		ok := true
		for j, pw := range phrase {
			w := words[i+j]
			switch {
			case strings.HasSuffix(pw, "*"):
				ok = strings.HasPrefix(w, pw[:len(pw)-1])
			case j == 0:
				ok = w == pw || strings.TrimPrefix(strings.TrimPrefix(w, "و"), "ب") == pw || strings.TrimPrefix(w, "في") == pw
			default:
				ok = w == pw
			}
			if !ok {
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// maxClauseDates is the most dates a sentence may give to be read clause
// by clause; more is a list or a chronology, not clauses about events.
const maxClauseDates = 6

// clauseMentions reads a sentence that gives two or more dates clause by
// clause, so that "left on Wednesday, completing a withdrawal that began
// on 13 January" yields both withdrawals. A clause runs between
// punctuation marks around a date; only types the whole sentence signals
// are taken from clauses, with the clause's own date.
func (p *Pipeline) clauseMentions(body string, s *sentence, l ew.Lang, dw *dateWords,
	sentPlaces []gazetteer.Mention, main string, order int) []mention {
	if len(s.usable) < 2 || len(s.usable) > maxClauseDates {
		return nil
	}
	sentTypes := map[ew.EventType]bool{}
	for _, h := range s.hits {
		sentTypes[h.Type] = true
	}
	sent := body[s.span.Start:s.span.End]
	var out []mention
	for _, dm := range s.usable {
		lo, hi := clause(sent, dm.Span.Start-s.span.Start)
		for _, h := range p.sig.Match(sent[lo:hi], l) {
			if !sentTypes[h.Type] {
				continue
			}
			trig := ew.Span{Start: s.span.Start + lo + h.Span.Start, End: s.span.Start + lo + h.Span.End}
			m := mention{typ: h.Type, cameo: h.CAMEO, score: h.Score, conf: h.Confidence,
				date: dm.Date, sentence: s.span, trigger: trig, order: order + len(out)}
			m.country, m.place, m.rank = p.locate(h.Type, sentPlaces, trig, main)
			out = append(out, m)
		}
	}
	return out
}
