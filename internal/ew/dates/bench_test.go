package dates

import (
	"strings"
	"testing"

	"github.com/kurultai/kurultai/internal/ew"
)

// article builds a news text of about 2 KB from sentences in one language.
func article(sentences ...string) string {
	var b strings.Builder
	for b.Len() < 2048 {
		for _, s := range sentences {
			b.WriteString(s)
			b.WriteString(" ")
		}
	}
	return b.String()[:strings.LastIndexByte(b.String()[:2048], ' ')]
}

var benchArticles = []struct {
	lang ew.Lang
	text string
}{
	{ew.English, article(
		"Protests over the doubling of liquefied gas prices began in Zhanaozen on 2 January 2022 and spread to Aktau and Almaty within two days.",
		"The government resigned on January 5, and a state of emergency with a curfew was declared in several regions.",
		"On Wednesday the president asked the CSTO for help; the first units arrived the next day.",
		"Officials said yesterday that 164 people had died, a figure later revised.",
		"The withdrawal of the mission began on 13 January and ended on 19 January, according to the ministry.")},
	{ew.Russian, article(
		"Протесты из-за роста цен на сжиженный газ начались в Жанаозене 2 января 2022 года и за два дня охватили Актау и Алматы.",
		"Правительство ушло в отставку 5 января, в ряде регионов ввели режим чрезвычайного положения и комендантский час.",
		"В среду президент обратился за помощью к ОДКБ, первые подразделения прибыли на следующий день.",
		"Вчера власти сообщили о 164 погибших, позднее цифру уточнили.",
		"Вывод миссии начался 13 января и завершился 19 января, сообщает министерство.")},
	{ew.Kazakh, article(
		"Сұйытылған газ бағасының өсуіне байланысты наразылық 2022 жылғы 2 қаңтарда Жаңаөзенде басталып, екі күнде Ақтау мен Алматыға тарады.",
		"Үкімет 5 қаңтарда отставкаға кетті, бірқатар өңірде төтенше жағдай мен коменданттық сағат енгізілді.",
		"Сәрсенбіде президент ҰҚШҰ-дан көмек сұрады, алғашқы бөлімшелер келесі күні келді.",
		"Кеше билік 164 адамның қаза тапқанын хабарлады.",
		"Миссияның шығуы 13 қаңтарда басталып, 19 қаңтарда аяқталды.")},
	{ew.Arabic, article(
		"بدأت الاحتجاجات على ارتفاع أسعار الغاز المسال في جاناوزين في 2 يناير 2022 وامتدت إلى أكتاو وألماتي خلال يومين.",
		"استقالت الحكومة في الخامس من كانون الثاني وأعلنت حالة الطوارئ وحظر التجول في عدة مناطق.",
		"وطلب الرئيس يوم الأربعاء مساعدة منظمة معاهدة الأمن الجماعي ووصلت الوحدات الأولى في اليوم التالي.",
		"وقال مسؤولون أمس إن 164 شخصا لقوا حتفهم.",
		"وبدأ انسحاب البعثة في ١٣ يناير وانتهى في ١٩ يناير بحسب الوزارة.")},
}

// BenchmarkExtract measures one 2 KB article per iteration; the early
// warning pipeline needs 1,000 articles/s on two cores, so dates should stay
// well under 100 µs per article.
func BenchmarkExtract(b *testing.B) {
	sharedLexicon()
	for _, a := range benchArticles {
		b.Run(string(a.lang), func(b *testing.B) {
			n := len(Extract(a.text, a.lang, pubMonday))
			if n == 0 {
				b.Fatal("no dates in the benchmark article")
			}
			b.SetBytes(int64(len(a.text)))
			b.ReportAllocs()
			for b.Loop() {
				Extract(a.text, a.lang, pubMonday)
			}
		})
	}
}

// BenchmarkBuildLexicon measures the one-time cost of building the tables.
func BenchmarkBuildLexicon(b *testing.B) {
	for b.Loop() {
		buildLexicon(vocabs())
	}
}

// BenchmarkExtractDense measures a 100 KB text that is nothing but dates,
// relative words and weekdays: the work per byte must stay linear.
func BenchmarkExtractDense(b *testing.B) {
	unit := "5 January, 6-го января, 2022-01-07, yesterday, on Wednesday, 13–19 January 2022. "
	text := strings.Repeat(unit, 100*1024/len(unit))
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		Extract(text, ew.English, pubMonday)
	}
}
