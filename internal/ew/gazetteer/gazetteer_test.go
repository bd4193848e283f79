package gazetteer

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/kurultai/kurultai/internal/ew"
)

func newGaz(t testing.TB) *Gazetteer {
	t.Helper()
	g, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// short renders mentions as "surface=KZ" or "surface=@CSTO" for comparison.
func short(text string, ms []Mention) string {
	var parts []string
	for _, m := range ms {
		v := m.Country
		if m.Kind == KindOrg {
			v = "@" + m.Org
		}
		parts = append(parts, text[m.Start:m.End]+"="+v)
	}
	return strings.Join(parts, " ")
}

func TestFind(t *testing.T) {
	g := newGaz(t)
	tests := []struct {
		l    ew.Lang
		text string
		want string
	}{
		{ew.English, "Protests in Zhanaozen spread to Almaty and Nur-Sultan; Kazakhstan asked the CSTO for help.",
			"Zhanaozen=KZ Almaty=KZ Nur-Sultan=KZ Kazakhstan=KZ CSTO=@CSTO"},
		{ew.English, "The Organization of Turkic States, formerly the Turkic Council, met with Kazakh and Uzbek ministers.",
			"Organization of Turkic States=@OTS Turkic Council=@OTS Kazakh=KZ Uzbek=UZ"},
		{ew.English, "Tell us what the U.S. and the UN said about Kazakhstan's Mangystau region.",
			"U.S=US UN=@UN Kazakhstan's=KZ Mangystau=KZ"},
		{ew.Turkish, "Almatı'da protestolar sürerken KGAÖ barış gücü Kazakistan'a ulaştı. Türk Devletleri Teşkilatı'nın açıklaması",
			"Almatı'da=KZ KGAÖ=@CSTO Kazakistan'a=KZ Türk Devletleri Teşkilatı'nın=@OTS"},
		{ew.Turkish, "Kazak halkı İSTANBUL'da toplandı; kırmızı kazak giyen biri", "Kazak=KZ İSTANBUL'da=TR"},
		{ew.Turkish, "BM'nin açıklaması ve AB ile ŞİÖ", "BM'nin=@UN AB=@EU ŞİÖ=@SCO"},
		{ew.Azerbaijani, "Qazaxıstanda etirazlar Bakı və Türk Dövlətləri Təşkilatının bəyanatı", "Qazaxıstanda=KZ Bakı=AZ Türk Dövlətləri Təşkilatının=@OTS"},
		{ew.Russian, "В Алматы и Жанаозене протесты; ОДКБ направила миротворцев в Казахстан по просьбе казахстанской стороны.",
			"Алматы=KZ Жанаозене=KZ ОДКБ=@CSTO Казахстан=KZ казахстанской=KZ"},
		{ew.Russian, "Заявление Организации Договора о коллективной безопасности и Шанхайской организации сотрудничества, власти Мангистауской области",
			"Организации Договора о коллективной безопасности=@CSTO Шанхайской организации сотрудничества=@SCO Мангистауской=KZ"},
		{ew.Russian, "Президент России и МИД Турции, Нур-Султане и Астане", "России=RU Турции=TR Нур-Султане=KZ Астане=KZ"},
		{ew.Kazakh, "Алматыда наразылық; Қазақстандағы жағдай туралы ҰҚШҰ мәлімдеме жасады, Жаңаөзенде", "Алматыда=KZ Қазақстандағы=KZ ҰҚШҰ=@CSTO Жаңаөзенде=KZ"},
		{ew.Kazakh, "Түркі мемлекеттері ұйымының хатшылығы Ақтауда", "Түркі мемлекеттері ұйымының=@OTS Ақтауда=KZ"},
		{ew.Kyrgyz, "Казакстандагы окуялар боюнча Бишкекте ЖККУ жыйыны, Кыргызстандын аскерлери", "Казакстандагы=KZ Бишкекте=KG ЖККУ=@CSTO Кыргызстандын=KG"},
		{ew.Uzbek, "Qozog'istonda norozilik; Toshkentda O‘zbekiston TDT bilan, Olmaotada", "Qozog'istonda=KZ Toshkentda=UZ O‘zbekiston=UZ TDT=@OTS Olmaotada=KZ"},
		{ew.Uzbek, "Қозоғистондаги вазият бўйича Ўзбекистон ташқи ишлар вазирлиги, Тошкентда", "Қозоғистондаги=KZ Ўзбекистон=UZ Тошкентда=UZ"},
		{ew.Arabic, "احتجاجات في كازاخستان وألماتي، ومنظمة معاهدة الأمن الجماعي ترسل قوات إلى الكازاخستانية", "كازاخستان=KZ وألماتي=KZ ومنظمة معاهدة الأمن الجماعي=@CSTO الكازاخستانية=KZ"},
		{ew.Arabic, "بيان منظمة الدول التركية والأمم المتحدة بشأن روسيا", "منظمة الدول التركية=@OTS والأمم المتحدة=@UN روسيا=RU"},
		{ew.Hungarian, "Kazahsztánban tüntetések, Almatiban; a Türk Államok Szervezetének és az ENSZ-nek a kazah kormány", "Kazahsztánban=KZ Almatiban=KZ Türk Államok Szervezetének=@OTS ENSZ=@UN kazah=KZ"},
		{ew.Hungarian, "Magyarország és Törökország, a KBSZSZ békefenntartói", "Magyarország=HU Törökország=TR KBSZSZ=@CSTO"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%.30s", tt.l, tt.text), func(t *testing.T) {
			got := short(tt.text, g.Find(tt.text, tt.l))
			if got != tt.want {
				t.Errorf("Find(%q)\n got %s\nwant %s", tt.text, got, tt.want)
			}
		})
	}
}

func TestFindKinds(t *testing.T) {
	g := newGaz(t)
	ms := g.Find("Zhanaozen, Mangystau, Kazakhstan, OTS", ew.English)
	want := []struct {
		kind Kind
		name string
	}{{KindCity, "Zhanaozen"}, {KindRegion, "Mangystau Region"}, {KindCountry, "Kazakhstan"}, {KindOrg, "Organization of Turkic States"}}
	if len(ms) != len(want) {
		t.Fatalf("got %+v", ms)
	}
	for i, w := range want {
		if ms[i].Kind != w.kind || ms[i].Name != w.name {
			t.Errorf("mention %d = %s %s, want %s %s", i, ms[i].Kind, ms[i].Name, w.kind, w.name)
		}
	}
}

func TestNoFalseFriends(t *testing.T) {
	g := newGaz(t)
	tests := []struct {
		l    ew.Lang
		text string
	}{
		{ew.English, "Let us know; the union of workers; a georgian-style house"},
		{ew.Turkish, "Kırmızı kazak ve çinde"},
		{ew.Russian, "баки с водой и оша"},
		{ew.Uzbek, "osh tayyorlandi"},
		{ew.Arabic, "ترك المكان"},
	}
	for _, tt := range tests {
		if ms := g.Find(tt.text, tt.l); len(ms) != 0 {
			t.Errorf("%s %q: found %s", tt.l, tt.text, short(tt.text, ms))
		}
	}
}

func TestCountry(t *testing.T) {
	g := newGaz(t)
	for _, cc := range []string{"AZ", "KZ", "KG", "TR", "UZ", "HU", "TM", "RU", "CN", "IR", "AF", "TJ", "AM", "GE"} {
		if _, ok := g.Country(cc); !ok {
			t.Errorf("no country %s", cc)
		}
	}
	if _, ok := g.Country("XX"); ok {
		t.Error("XX found")
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		data, want string
	}{
		{"- {name: X, kind: town, country: KZ, names: [X]}", "x.yaml:1: X: kind"},
		{"- {name: X, kind: city, country: kz, names: [X]}\n", "x.yaml:1: X: country"},
		{"- {name: X, kind: org, names: [X]}", "x.yaml:1: X: org has no short name"},
		{"\n- {name: X, kind: city, country: KZ}", "x.yaml:2: X: no names"},
		{"- {name: X, kind: city, country: KZ, names: [A]}\n- {name: Y, kind: city, country: KZ, names: [A|b]}", "already a name of X"},
		{"- {name: X, kind: city, country: KZ, names: [a|b|c]}", "more than one |"},
		{"{a: b}", "want a list"},
		{"- [", "x.yaml"},
	}
	for _, tt := range tests {
		_, err := Load(fstest.MapFS{"d/x.yaml": {Data: []byte(tt.data)}}, "d")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Load(%q) error %v, want it to contain %q", tt.data, err, tt.want)
		}
	}
}

func FuzzFind(f *testing.F) {
	g := newGaz(f)
	for _, s := range []string{"Almatı'da", "в Алматы", "الكازاخستانية", "U.S.", "ENSZ-nek", "'''", "ı\u0307"} {
		f.Add(s, "tr")
	}
	f.Fuzz(func(t *testing.T, text, lang string) {
		for _, m := range g.Find(text, ew.Lang(lang)) {
			if m.Start < 0 || m.End > len(text) || m.Start >= m.End {
				t.Fatalf("bad span %+v in %q", m, text)
			}
			if m.Name == "" || (m.Country == "") == (m.Org == "") {
				t.Fatalf("bad mention %+v", m)
			}
		}
	})
}

func BenchmarkFind(b *testing.B) {
	g := newGaz(b)
	for _, c := range []struct {
		l    ew.Lang
		unit string
	}{
		{ew.Russian, "Протесты из-за цен на газ начались в Жанаозене 2 января и перекинулись на Алматы, сообщает Казинформ. ОДКБ направила миротворцев. "},
		{ew.Turkish, "Kazakistan'ın Mangıstau bölgesindeki Janaözen kentinde başlayan gösteriler Almatı'ya yayıldı, AA aktardı. KGAÖ asker gönderdi. "},
		{ew.Arabic, "بدأت الاحتجاجات في مدينة جاناوزن غرب كازاخستان ثم امتدت إلى ألماتي، وأرسلت منظمة معاهدة الأمن الجماعي قوات. "},
	} {
		text := strings.Repeat(c.unit, 2048/len(c.unit)+1)[:2048]
		b.Run(string(c.l), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				g.Find(text, c.l)
			}
		})
	}
}
