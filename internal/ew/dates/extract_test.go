package dates

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/ew"
)

// almaty is UTC+6, where much of the test news is published.
var almaty = time.FixedZone("ALMT", 6*3600)

// pubMonday is the default publication time of the tests: Monday 10 January
// 2022, 09:00 in Almaty.
var pubMonday = time.Date(2022, 1, 10, 9, 0, 0, 0, almaty)

// want is one expected mention: its exact text (the span is checked to be
// the next occurrence of it in the sentence), date and kind.
type want struct {
	text string
	date string
	kind Kind
}

type extractCase struct {
	name string
	text string
	pub  time.Time // pubMonday when zero
	want []want
}

// runCases checks every case in language l.
func runCases(t *testing.T, l ew.Lang, cases []extractCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			pub := c.pub
			if pub.IsZero() {
				pub = pubMonday
			}
			checkExtract(t, c.text, l, pub, c.want)
		})
	}
}

func checkExtract(t *testing.T, text string, l ew.Lang, pub time.Time, wants []want) {
	t.Helper()
	got := Extract(text, l, pub)
	if len(got) != len(wants) {
		t.Fatalf("Extract(%q) = %s, want %d mentions %v", text, describe(got), len(wants), wants)
	}
	from := 0
	for i, w := range wants {
		g := got[i]
		at := strings.Index(text[from:], w.text)
		if at < 0 {
			t.Fatalf("test bug: %q not in %q after byte %d", w.text, text, from)
		}
		span := ew.Span{Start: from + at, End: from + at + len(w.text)}
		if g.Span != span || g.Text != w.text || g.Date.String() != w.date || g.Kind != w.kind {
			t.Errorf("mention %d = %s, want %q %v %s %s", i, describe(got[i:i+1]), w.text, span, w.date, w.kind)
		}
		if text[g.Span.Start:g.Span.End] != g.Text {
			t.Errorf("mention %d: Text %q is not the text at its span %v", i, g.Text, g.Span)
		}
		from = span.End
	}
}

func describe(ms []Mention) string {
	var b strings.Builder
	b.WriteString("[")
	for i, m := range ms {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q %v %s %s", m.Text, m.Span, m.Date, m.Kind)
	}
	b.WriteString("]")
	return b.String()
}

func TestEnglish(t *testing.T) {
	t.Parallel()
	runCases(t, ew.English, []extractCase{
		{"day month year", "Protests over fuel prices began in Zhanaozen on 2 January 2022 and spread to Almaty.",
			time.Time{}, []want{{"2 January 2022", "2022-01-02", Absolute}}},
		{"month day comma year", "The government resigned on January 5, 2022, after a night of unrest.",
			time.Time{}, []want{{"January 5, 2022", "2022-01-05", Absolute}}},
		{"month ordinal", "A state of emergency was declared on January 5th in Almaty.",
			time.Time{}, []want{{"January 5th", "2022-01-05", DayMonth}}},
		{"the nth of month", "By the 6th of January, the first CSTO units had landed.",
			time.Time{}, []want{{"6th of January", "2022-01-06", DayMonth}}},
		{"iso", "The ministry's statement, dated 2022-01-07, gave no figures.",
			time.Time{}, []want{{"2022-01-07", "2022-01-07", Absolute}}},
		{"dotted", "The order of 05.01.2022 introduced a curfew.",
			time.Time{}, []want{{"05.01.2022", "2022-01-05", Absolute}}},
		{"slash unambiguous", "The notice is dated 13/1/2022.",
			time.Time{}, []want{{"13/1/2022", "2022-01-13", Absolute}}},
		{"slash ambiguous", "The notice is dated 1/5/2022.", time.Time{}, nil},
		{"abbreviated month", "The decree, published on Jan. 11, ended the emergency.",
			time.Time{}, []want{{"Jan. 11", "2022-01-11", DayMonth}}},
		{"range", "Flights were suspended from 13–19 January 2022.",
			time.Time{}, []want{{"13", "2022-01-13", Absolute}, {"19 January 2022", "2022-01-19", Absolute}}},
		{"month first range", "Schools stayed shut January 13-19, 2022.",
			time.Time{}, []want{{"January 13", "2022-01-13", Absolute}, {"19, 2022", "2022-01-19", Absolute}}},
		{"pair", "Rallies were held on 5 and 6 January.",
			time.Time{}, []want{{"5", "2022-01-05", DayMonth}, {"6 January", "2022-01-06", DayMonth}}},
		{"yesterday", "Officials said yesterday that calm had returned.",
			time.Time{}, []want{{"yesterday", "2022-01-09", Relative}}},
		{"today and day before yesterday", "Shops reopened today; the day before yesterday the city was still empty.",
			time.Time{}, []want{{"today", "2022-01-10", Relative}, {"the day before yesterday", "2022-01-08", Relative}}},
		{"last night", "Shots were heard last night near the akimat.",
			time.Time{}, []want{{"last night", "2022-01-09", Relative}}},
		{"on weekday", "The president spoke on Wednesday.",
			time.Time{}, []want{{"Wednesday", "2022-01-05", Weekday}}},
		{"weekday today", "On Monday the curfew was eased.",
			time.Time{}, []want{{"Monday", "2022-01-10", Weekday}}},
		{"last weekday", "Internet access was restored last Monday.",
			time.Time{}, []want{{"last Monday", "2022-01-03", Weekday}}},
		{"next weekday", "The mission will begin its withdrawal next Thursday.",
			time.Time{}, []want{{"next Thursday", "2022-01-13", Weekday}}},
		{"weekday beside date", "On Wednesday, January 5, 2022, the cabinet resigned.",
			time.Time{}, []want{{"January 5, 2022", "2022-01-05", Absolute}}},
		{"possessive weekday", "Wednesday's statement was short.",
			time.Time{}, []want{{"Wednesday's", "2022-01-05", Weekday}}},
		{"outlet named today", "Russia Today reported the arrests.", time.Time{}, nil},
		{"tomorrow", "Banks will reopen tomorrow, the ministry said.",
			time.Time{}, []want{{"tomorrow", "2022-01-11", Relative}}},
		{"iso with time", "Updated 2022-01-07T14:30:00+06:00 by the desk.",
			time.Time{}, []want{{"2022-01-07", "2022-01-07", Absolute}}},
		{"month first slash", "The notice is dated 1/13/2022.",
			time.Time{}, []want{{"1/13/2022", "2022-01-13", Absolute}}},
	})
}

func TestRussian(t *testing.T) {
	t.Parallel()
	runCases(t, ew.Russian, []extractCase{
		{"genitive with year word", "Протесты начались в Жанаозене 2 января 2022 года.",
			time.Time{}, []want{{"2 января 2022 года", "2022-01-02", Absolute}}},
		{"abbreviations", "5 янв. 2022 г. правительство ушло в отставку.",
			time.Time{}, []want{{"5 янв. 2022 г.", "2022-01-05", Absolute}}},
		{"ordinal suffix", "Режим ЧП ввели 5-го января в Алматы.",
			time.Time{}, []want{{"5-го января", "2022-01-05", DayMonth}}},
		{"numeric", "Дата документа: 07.01.2022.",
			time.Time{}, []want{{"07.01.2022", "2022-01-07", Absolute}}},
		{"range", "С 5 по 7 января мобильная связь не работала.",
			time.Time{}, []want{{"5", "2022-01-05", DayMonth}, {"7 января", "2022-01-07", DayMonth}}},
		{"yesterday", "Вчера вечером в городе было тихо.",
			time.Time{}, []want{{"Вчера", "2022-01-09", Relative}}},
		{"today and two days ago", "Сегодня утром открылись банки, а позавчера они ещё были закрыты.",
			time.Time{}, []want{{"Сегодня", "2022-01-10", Relative}, {"позавчера", "2022-01-08", Relative}}},
		{"in wednesday", "Президент выступил в среду с обращением к нации.",
			time.Time{}, []want{{"среду", "2022-01-05", Weekday}}},
		{"night to thursday", "В ночь на четверг в страну прибыли войска ОДКБ.",
			time.Time{}, []want{{"четверг", "2022-01-06", Weekday}}},
		{"last friday", "В прошлую пятницу ограничения смягчили.",
			time.Time{}, []want{{"прошлую пятницу", "2022-01-07", Weekday}}},
		{"next monday", "Занятия в школах возобновятся в следующий понедельник.",
			time.Time{}, []want{{"следующий понедельник", "2022-01-17", Weekday}}},
		{"environment is no weekday", "Власти обещали беречь окружающую среду.", time.Time{}, nil},
	})
}

func TestHungarian(t *testing.T) {
	t.Parallel()
	runCases(t, ew.Hungarian, []extractCase{
		{"year dot month day suffix", "A tüntetések 2022. január 2-án kezdődtek Zsanaozenben.",
			time.Time{}, []want{{"2022. január 2-án", "2022-01-02", Absolute}}},
		{"month day -én", "A kormány január 5-én lemondott.",
			time.Time{}, []want{{"január 5-én", "2022-01-05", DayMonth}}},
		{"month day -ig", "A szükségállapot január 19-ig marad érvényben.",
			time.Time{}, []want{{"január 19-ig", "2022-01-19", DayMonth}}},
		{"adjectival -i", "A január 6-i ülésen döntöttek a csapatokról.",
			time.Time{}, []want{{"január 6-i", "2022-01-06", DayMonth}}},
		{"range", "A repülőtér január 13–19. között zárva volt.",
			time.Time{}, []want{{"január 13", "2022-01-13", DayMonth}, {"19", "2022-01-19", DayMonth}}},
		{"numeric", "A 2022.01.05. keltezésű rendelet kijárási tilalmat vezetett be.",
			time.Time{}, []want{{"2022.01.05", "2022-01-05", Absolute}}},
		{"yesterday today", "Tegnap a városban csend volt, ma megnyíltak a boltok.",
			time.Time{}, []want{{"Tegnap", "2022-01-09", Relative}, {"ma", "2022-01-10", Relative}}},
		{"day before yesterday", "Tegnapelőtt még lövések hallatszottak.",
			time.Time{}, []want{{"Tegnapelőtt", "2022-01-08", Relative}}},
		{"weekday", "Az elnök szerdán beszédet mondott.",
			time.Time{}, []want{{"szerdán", "2022-01-05", Weekday}}},
		{"abbreviated month", "A rendelet jan. 7-én lépett hatályba.",
			time.Time{}, []want{{"jan. 7-én", "2022-01-07", DayMonth}}},
		{"last weekday", "Múlt pénteken enyhítették a korlátozásokat.",
			time.Time{}, []want{{"Múlt pénteken", "2022-01-07", Weekday}}},
	})
}

func TestArabic(t *testing.T) {
	t.Parallel()
	runCases(t, ew.Arabic, []extractCase{
		{"egyptian month", "بدأت الاحتجاجات في 2 يناير 2022 في مدينة جاناوزين.",
			time.Time{}, []want{{"2 يناير 2022", "2022-01-02", Absolute}}},
		{"levantine month", "أعلنت الحكومة استقالتها في 5 كانون الثاني 2022.",
			time.Time{}, []want{{"5 كانون الثاني 2022", "2022-01-05", Absolute}}},
		{"both series", "وصلت القوات في 6 يناير/كانون الثاني 2022 إلى ألماتي.",
			time.Time{}, []want{{"6 يناير/كانون الثاني 2022", "2022-01-06", Absolute}}},
		{"ordinal day", "وصلت الدفعة الأخيرة من القوات في العاشر من يناير.",
			time.Time{}, []want{{"العاشر من يناير", "2022-01-10", DayMonth}}},
		{"ordinal day levantine", "وفي الخامس من كانون الثاني أعلنت حالة الطوارئ.",
			time.Time{}, []want{{"الخامس من كانون الثاني", "2022-01-05", DayMonth}}},
		{"ordinal joined to and", "بين الثاني والخامس من كانون الثاني عمت الاحتجاجات.",
			time.Time{}, []want{{"الخامس من كانون الثاني", "2022-01-05", DayMonth}}},
		{"ordinal teen with year", "بدأ الانسحاب في الحادي عشر من يناير 2022.",
			time.Time{}, []want{{"الحادي عشر من يناير 2022", "2022-01-11", Absolute}}},
		{"ordinal tens", "أقيم الحفل في الخامس والعشرين من ديسمبر.",
			time.Time{}, []want{{"الخامس والعشرين من ديسمبر", "2021-12-25", DayMonth}}},
		{"eastern digits", "صدر المرسوم في ٥ يناير ٢٠٢٢ ونشر في الجريدة الرسمية.",
			time.Time{}, []want{{"٥ يناير ٢٠٢٢", "2022-01-05", Absolute}}},
		{"persian digits", "وفي ۱۱ كانون الثاني ۲۰۲۲ بدأ الانسحاب.",
			time.Time{}, []want{{"۱۱ كانون الثاني ۲۰۲۲", "2022-01-11", Absolute}}},
		{"pair with joined and", "تظاهر الآلاف يومي 5 و6 يناير.",
			time.Time{}, []want{{"5", "2022-01-05", DayMonth}, {"6 يناير", "2022-01-06", DayMonth}}},
		{"pair written without spaces", "وتواصلت الاشتباكات يومي 6و7 يناير.",
			time.Time{}, []want{{"6", "2022-01-06", DayMonth}, {"7 يناير", "2022-01-07", DayMonth}}},
		{"yesterday", "قال المتحدث أمس إن الوضع مستقر.",
			time.Time{}, []want{{"أمس", "2022-01-09", Relative}}},
		{"today and day before yesterday", "أعيد فتح المتاجر اليوم بعد أن كانت مغلقة أول من أمس.",
			time.Time{}, []want{{"اليوم", "2022-01-10", Relative}, {"أول من أمس", "2022-01-08", Relative}}},
		{"weekday with past", "عقد الاجتماع يوم الأربعاء الماضي في موسكو.",
			time.Time{}, []want{{"الأربعاء الماضي", "2022-01-05", Weekday}}},
		{"outlet named today", "نقلت قناة روسيا اليوم الخبر.", time.Time{}, nil},
		{"the next day", "وفي اليوم التالي عاد الهدوء.", time.Time{}, nil},
		{"year prefix", "أعلنت حالة الطوارئ في 5 يناير عام 2022 في ألماتي.",
			time.Time{}, []want{{"5 يناير عام 2022", "2022-01-05", Absolute}}},
		{"year suffix", "أعلنت حالة الطوارئ في 5 يناير 2022م.",
			time.Time{}, []want{{"5 يناير 2022م", "2022-01-05", Absolute}}},
		{"maghrebi month", "انطلقت المظاهرات يوم 2 جانفي 2022.",
			time.Time{}, []want{{"2 جانفي 2022", "2022-01-02", Absolute}}},
		{"vowel marks", "وصلت القوات غداً في ٦ يَنَايِر.",
			time.Time{}, []want{{"غداً", "2022-01-11", Relative}, {"٦ يَنَايِر", "2022-01-06", DayMonth}}},
	})
}
