package attribution

import (
	"fmt"
	"strings"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/gazetteer/tok"
)

// cueText lists, per language, the words that introduce a source. Each
// line is "KIND DIRECTION: phrase | phrase ..."; a phrase is words folded
// like text, where word* is a prefix.
//
// Kinds:
//   - accord: "according to X", "X szerint", "X'e göre": X is the source
//     the sentence's content comes from.
//   - speech: a reporting verb, "X said", "сообщает X".
//   - relay: "citing X", "со ссылкой на X": X is the source of the source
//     named just before.
//   - wrap: "X, которые приводит Y", "X'in açıklamasını aktaran Y": Y
//     relays X.
//   - followup: opens a sentence that only names the source of the one
//     before ("Об этом сообщает ТАСС", "Бұл туралы ... хабарлады").
//
// Directions say on which side the source stands: after, before, or both
// (after when a source follows at once, else before).
func cueText(l ew.Lang) string {
	switch l {
	case ew.English:
		return `accord after: according to | as reported by
relay after: citing | quoting | which cited | which quoted | who cited | which quotes | which cites | with reference to
speech both: told
speech before: said | says | reported | announced | stated | confirmed | added | noted
speech after: reported by
followup after: this was reported by | this was announced by | the report came from`
	case ew.Russian:
		return `accord after: по данным | по сообщению | по словам | по информации | как сообщает | как сообщил* | как передает | согласно
relay after: со ссылкой на | ссылаясь на | цитирует
wrap after: которые приводит | которое приводит | которую приводит | приводит
speech both: сообщает | сообщил* | заявил* | передает | сообщили | уточнил* | отметил* | подчеркнул*
followup after: об этом | как стало известно`
	case ew.Turkish:
		return `accord before: göre | haberine göre | açıklamasına göre | bilgiye göre
relay before: dayandırdığı | atfen | dayanarak | kaynaklı
wrap after: aktaran
speech before: aktardı | bildirdi | açıkladı | söyledi | belirtti | dedi | duyurdu | kaydetti
followup after: açıklamayı | açıklamaları | bakanın açıklamalarını | bu haberi | bu bilgiyi`
	case ew.Azerbaijani:
		return `accord before: məlumatına görə | görə | məlumata görə | sözlərinə görə
relay before: istinadən | istinad edərək
speech both: xəbər verib | xəbər verir | bildirib | məlumat yayıb | məlumat verib | bəyan edib | qeyd edib | açıqlayıb
followup after: bu barədə | bu haqda`
	case ew.Kazakh:
		return `accord before: хабарлауынша | мәліметінше | мәліметі бойынша | айтуынша | сөзінше | дерегінше
relay before: сілтеме жасап | сілтеме жасай отырып | сүйеніп
speech both: хабарлады | хабарлайды | мәлімдеді | айтты | деді | таратты | жариялады | атап өтті
followup after: бұл туралы | бұл ақпаратты | бұл жөнінде`
	case ew.Kyrgyz:
		return `accord before: маалыматына караганда | маалыматы боюнча | маалымат боюнча | билдиргендей | айтымында | кабарлагандай
relay before: шилтеме кылып | шилтеме берип | таянып
speech both: кабарлады | кабарлайт | билдирди | маалымдады | жарыялады | айтты | белгиледи
followup after: бул тууралуу | бул маалыматты | бул жөнүндө`
	case ew.Uzbek:
		return `accord before: ma'lumotiga ko'ra | xabariga ko'ra | ko'ra | xabar berishicha | ma'lum qilishicha | маълумотига кўра | хабарига кўра | кўра | хабар беришича
relay before: tayanib | iqtibos keltirib | таяниб
speech both: xabar berdi | xabar beradi | ma'lum qildi | aytdi | bildirdi | хабар берди | хабар беради | маълум қилди | айтди | билдирди
followup after: bu haqda | бу ҳақда`
	case ew.Arabic:
		return `accord after: وفق | وفقا ل | بحسب | حسب | حسبما | نقلا عن | بحسب ما | وفق ما
relay after: نقلا عن | عن | مستشهده ب
speech both: قال | قالت | ذكرت | ذكر | افاد* | اكد* | نقلت | نقلته | اوضح
followup after: وذكرت | واضافت`
	case ew.Hungarian:
		return `accord before: szerint | tájékoztatása szerint | jelentése szerint | közlése szerint
relay before: hivatkozva | hivatkozott
speech both: közölte | jelentette | számolt be | írta | kijelentette | mondta | tudatta | jelentette be
followup after: erről | ezt`
	}
	return ""
}

type cueKind int

const (
	accord cueKind = iota
	speech
	relay
	wrap
	followup
)

type cueDir int

const (
	after cueDir = iota
	before
	both
)

// cue is one compiled cue phrase.
type cue struct {
	kind  cueKind
	dir   cueDir
	words []pword
}

// pword is one word of a cue phrase.
type pword struct {
	key    string
	prefix bool
}

// parseCues compiles the cue lines of language l.
func parseCues(l ew.Lang, src string) ([]cue, error) {
	var out []cue
	for n, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		head, body, ok := strings.Cut(line, ":")
		f := strings.Fields(head)
		if !ok || len(f) != 2 {
			return nil, fmt.Errorf("attribution: cues %s:%d: want \"KIND DIR: phrases\"", l, n+1)
		}
		var c cue
		switch f[0] {
		case "accord":
			c.kind = accord
		case "speech":
			c.kind = speech
		case "relay":
			c.kind = relay
		case "wrap":
			c.kind = wrap
		case "followup":
			c.kind = followup
		default:
			return nil, fmt.Errorf("attribution: cues %s:%d: unknown kind %q", l, n+1, f[0])
		}
		switch f[1] {
		case "after":
			c.dir = after
		case "before":
			c.dir = before
		case "both":
			c.dir = both
		default:
			return nil, fmt.Errorf("attribution: cues %s:%d: unknown direction %q", l, n+1, f[1])
		}
		for _, ph := range strings.Split(body, "|") {
			cc := c
			for _, w := range strings.Fields(ph) {
				p := strings.HasSuffix(w, "*")
				key := tok.Fold(strings.TrimSuffix(w, "*"), l)
				cc.words = append(cc.words, pword{key: key, prefix: p})
			}
			if len(cc.words) == 0 {
				return nil, fmt.Errorf("attribution: cues %s:%d: empty phrase", l, n+1)
			}
			out = append(out, cc)
		}
	}
	return out, nil
}

// matchAt reports whether c's words match the tokens of d from i.
func (c *cue) matchAt(d *tok.Doc, i int) bool {
	if i+len(c.words) > len(d.Tokens) {
		return false
	}
	for k, w := range c.words {
		key := d.Key(i + k)
		if w.prefix {
			if !strings.HasPrefix(key, w.key) {
				return false
			}
		} else if key != w.key && !(len(key) > len(w.key) && key[len(w.key)] == '\'' && strings.HasPrefix(key, w.key)) {
			return false
		}
	}
	return true
}
