package attribution

import (
	"slices"
	"strings"
	"testing"

	"github.com/kurultai/kurultai/internal/ew"
)

// Sentences written for these tests; outlets other than the real agencies
// are made up.
func TestForSentence(t *testing.T) {
	a := newAnalyzer(t)
	tests := []struct {
		name string
		l    ew.Lang
		text string
		want []string
	}{
		{"en citing which quotes", ew.English,
			"Shops were looted in Almaty overnight, according to Kazinform, which quoted the interior ministry's spokesman.",
			[]string{"Portal", "Kazinform", "Ministry of Internal Affairs of Kazakhstan"}},
		{"en said according to", ew.English,
			"Two airports were closed, the Kazakh health ministry said, according to Interfax.",
			[]string{"Portal", "Interfax", "Ministry of Health of Kazakhstan"}},
		{"en reported citing", ew.English,
			"Reuters reported, citing TASS, that the first Russian paratroopers had landed.",
			[]string{"Portal", "Reuters", "TASS"}},
		{"en private person left out", ew.English,
			"Crowds gathered on the square, a local teacher told Reuters.",
			[]string{"Portal", "Reuters"}},
		{"en own voice", ew.English,
			"Crowds gathered on the square in Aktau on Monday evening.",
			[]string{"Portal"}},
		{"ru со ссылкой на", ew.Russian,
			"Как сообщает Tengrinews со ссылкой на МВД Казахстана, в Алматы задержаны сотни человек.",
			[]string{"Portal", "Tengrinews", "Ministry of Internal Affairs of Kazakhstan"}},
		{"ru по данным которые приводит", ew.Russian,
			"По данным Минздрава Казахстана, которые приводит РИА Новости, в больницы поступили сотни раненых.",
			[]string{"Portal", "RIA Novosti", "Ministry of Health of Kazakhstan"}},
		{"ru followup", ew.Russian,
			"Первые подразделения прибыли в Алматы. Об этом сообщает ТАСС со ссылкой на Минобороны России.",
			[]string{"Portal", "TASS", "Ministry of Defence of Russia"}},
		{"tr göre dayandırdığı", ew.Turkish,
			"Anadolu Ajansı'nın Kazakistan İçişleri Bakanlığı'na dayandırdığı habere göre Almatı'da yüzlerce kişi gözaltına alındı.",
			[]string{"Portal", "Anadolu Agency", "Ministry of Internal Affairs of Kazakhstan"}},
		{"tr aktaran", ew.Turkish,
			"Rusya Savunma Bakanlığı'nın açıklamasını aktaran TASS'a göre ilk birlikler Almatı'ya ulaştı.",
			[]string{"Portal", "TASS", "Ministry of Defence of Russia"}},
		{"az istinadən", ew.Azerbaijani,
			"APA-nın Qazaxıstan Daxili İşlər Nazirliyinə istinadən yaydığı məlumata görə, Almatıda yüzlərlə insan saxlanılıb.",
			[]string{"Portal", "APA", "Ministry of Internal Affairs of Kazakhstan"}},
		{"kk хабарлауынша сілтеме", ew.Kazakh,
			"Алматыда жүздеген адам ұсталды. Бұл туралы Қазақпарат ІІМ-ге сілтеме жасап хабарлады.",
			[]string{"Portal", "Kazinform", "Ministry of Internal Affairs of Kazakhstan"}},
		{"kk мәліметінше", ew.Kazakh,
			"Денсаулық сақтау министрлігінің мәліметінше, ауруханаларға жүздеген адам түсті.",
			[]string{"Portal", "Ministry of Health of Kazakhstan"}},
		{"ky шилтеме кылып", ew.Kyrgyz,
			"Кабар агенттиги Казакстандын Ички иштер министрлигине шилтеме кылып билдиргендей, Алматыда жүздөгөн адам кармалды.",
			[]string{"Portal", "Kabar", "Ministry of Internal Affairs of Kazakhstan"}},
		{"uz Latin tayanib", ew.Uzbek,
			"Kun.uz Rossiya Mudofaa vazirligiga tayanib xabar berishicha, birinchi harbiylar Olmaotaga yetib keldi.",
			[]string{"Portal", "Kun.uz", "Ministry of Defence of Russia"}},
		{"uz Cyrillic бу ҳақда", ew.Uzbek,
			"Олмаотада юзлаб одамлар ушланди. Бу ҳақда ЎзА Қозоғистон Ички ишлар вазирлигига таяниб хабар берди.",
			[]string{"Portal", "UzA", "Ministry of Internal Affairs of Kazakhstan"}},
		{"ar نقلا عن", ew.Arabic,
			"وأصيب المئات في ألماتي، بحسب ما نقلته وكالة رويترز عن وزارة الداخلية الكازاخستانية.",
			[]string{"Portal", "Reuters", "Ministry of Internal Affairs of Kazakhstan"}},
		{"hu szerint hivatkozva", ew.Hungarian,
			"Az MTI a kazah belügyminisztériumra hivatkozva közölte, hogy Almatiban több száz embert vettek őrizetbe.",
			[]string{"Portal", "MTI", "Ministry of Internal Affairs of Kazakhstan"}},
		{"hu jelentette trailing", ew.Hungarian,
			"Az orosz védelmi minisztérium szerint az első egységek megérkeztek – jelentette a TASZSZ.",
			[]string{"Portal", "TASS", "Ministry of Defence of Russia"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp := ew.Span{Start: 0, End: len(tt.text)}
			if i := strings.Index(tt.text, ". "); i > 0 && !strings.HasPrefix(tt.name, "en") {
				sp.End = i + 1 // the evidence is the first sentence; a followup may come after
			}
			got := a.ForSentence(tt.text, sp, tt.l, "Portal", false)
			if !slices.Equal(got, tt.want) {
				t.Errorf("ForSentence(%q)\n got %q\nwant %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestChainAndFallback(t *testing.T) {
	a := newAnalyzer(t)
	text := "Protests spread to Aktau on Monday. Police detained dozens, according to Tengrinews."
	if got, want := a.Chain(text, ew.English, "Portal"), []string{"Portal", "Tengrinews"}; !slices.Equal(got, want) {
		t.Errorf("Chain = %q, want %q", got, want)
	}
	first := ew.Span{Start: 0, End: strings.Index(text, ".") + 1}
	if got, want := a.ForSentence(text, first, ew.English, "Portal", false), []string{"Portal"}; !slices.Equal(got, want) {
		t.Errorf("ForSentence without fallback = %q, want %q", got, want)
	}
	if got, want := a.ForSentence(text, first, ew.English, "Portal", true), []string{"Portal", "Tengrinews"}; !slices.Equal(got, want) {
		t.Errorf("ForSentence with fallback = %q, want %q", got, want)
	}
}

func TestForEventSpeaker(t *testing.T) {
	a := newAnalyzer(t)
	tests := []struct {
		l    ew.Lang
		text string
		trig string
		t    ew.EventType
		want []string
	}{
		{ew.English, "The Organization of Turkic States expressed solidarity with Kazakhstan on Thursday.", "solidarity", ew.Solidarity,
			[]string{"Portal", "Organization of Turkic States"}},
		{ew.Russian, "Президент Казахстана обратился к ОДКБ с просьбой о помощи.", "обратился", ew.AssistanceRequest,
			[]string{"Portal", "Akorda"}},
		{ew.Kazakh, "Тоқаев ҰҚШҰ-ға көмек сұрап жүгінді.", "жүгінді", ew.AssistanceRequest,
			[]string{"Portal", "Akorda"}},
		{ew.Turkish, "Mangistav Valiliği halkı sakin olmaya çağırdı.", "çağırdı", ew.Statement,
			[]string{"Portal", "Mangystau Akimat"}},
		{ew.English, "Riot police fired tear gas in Almaty.", "fired", ew.Riot, []string{"Portal"}},
	}
	for _, tt := range tests {
		i := strings.Index(tt.text, tt.trig)
		trig := ew.Span{Start: i, End: i + len(tt.trig)}
		got := a.ForEvent(tt.text, ew.Span{Start: 0, End: len(tt.text)}, trig, tt.l, "Portal", tt.t)
		if !slices.Equal(got, tt.want) {
			t.Errorf("ForEvent(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestNoPrivatePersons(t *testing.T) {
	a := newAnalyzer(t)
	for _, tt := range []struct {
		l    ew.Lang
		text string
	}{
		{ew.English, "Aigerim Bekova, a teacher, said the square was full."},
		{ew.Russian, "По словам местного жителя Ивана Петрова, площадь была заполнена."},
		{ew.Turkish, "Görgü tanıklarına göre meydan doluydu."},
		{ew.Hungarian, "Egy helyi lakos szerint a tér megtelt."},
	} {
		got := a.Chain(tt.text, tt.l, "Portal")
		if !slices.Equal(got, []string{"Portal"}) {
			t.Errorf("Chain(%q) = %q, want the publisher alone", tt.text, got)
		}
	}
}

func FuzzForSentence(f *testing.F) {
	a := newAnalyzer(f)
	for _, s := range []string{"according to Kazinform, which quoted the ministry", "Об этом сообщает ТАСС.", "X'e göre", "وفق ما نقلته", "szerint – jelentette"} {
		f.Add(s, 0, len(s), "en")
	}
	f.Fuzz(func(t *testing.T, text string, start, end int, lang string) {
		sp := ew.Span{Start: start, End: end}
		ch := a.ForSentence(text, sp, ew.Lang(lang), "P", true)
		if len(ch) == 0 || ch[0] != "P" {
			t.Fatalf("chain %q does not start with the publisher", ch)
		}
		a.ForEvent(text, sp, sp, ew.Lang(lang), "P", ew.Statement)
	})
}

func BenchmarkChain(b *testing.B) {
	a := newAnalyzer(b)
	unit := "Protesters stormed the akimat in Almaty, according to Tengrinews, which cited the city police. Police officers were killed, the interior ministry said. "
	text := strings.Repeat(unit, 2048/len(unit)+1)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		a.Chain(text, ew.English, "Portal")
	}
}
