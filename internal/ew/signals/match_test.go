package signals

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kurultai/kurultai/internal/ew"
)

// case_ is one sentence and the type it must (or must not) signal.
type case_ struct {
	t    ew.EventType
	text string
}

// Sentences written for these tests, about other days and places than the
// corpus, so they check that the rules generalise.
var positives = map[ew.Lang][]case_{
	ew.English: {
		{ew.Protest, "Thousands of oil workers rallied in Aktobe on Friday to demand higher wages."},
		{ew.Riot, "Rioters set fire to police cars and looted shops in Shymkent."},
		{ew.ViolenceCasualties, "At least twelve people were killed and dozens wounded in the clashes."},
		{ew.StateOfEmergency, "The government imposed a curfew in Taraz from 10 p.m."},
		{ew.GovernmentResignation, "The prime minister resigned together with his cabinet on Tuesday."},
		{ew.AssistanceRequest, "The president asked the CSTO to send troops to help restore order."},
		{ew.AssistanceDeployment, "The first Belarusian troops arrived at the airfield on Saturday."},
		{ew.Withdrawal, "The peacekeepers began their withdrawal from the country on Thursday."},
		{ew.Statement, "The foreign ministry issued a statement urging all sides to show restraint."},
		{ew.Solidarity, "Uzbekistan expressed solidarity with the brotherly people of Kazakhstan."},
		{ew.Meeting, "The leaders held talks by videoconference on the situation in the region."},
	},
	ew.Russian: {
		{ew.Protest, "В Актобе прошел митинг против роста цен на топливо."},
		{ew.Riot, "Погромщики разграбили магазины в центре Шымкента."},
		{ew.ViolenceCasualties, "В ходе беспорядков погибли 18 сотрудников полиции."},
		{ew.StateOfEmergency, "В Таразе введено чрезвычайное положение."},
		{ew.GovernmentResignation, "Правительство Киргизии ушло в отставку."},
		{ew.AssistanceRequest, "Власти обратились к соседним странам с просьбой о гуманитарной помощи."},
		{ew.AssistanceDeployment, "Российские десантники прибыли в Алматы для охраны объектов."},
		{ew.Withdrawal, "Контингент ОДКБ покинул территорию республики."},
		{ew.Statement, "МИД Узбекистана распространил заявление по ситуации в регионе."},
		{ew.Solidarity, "Президент выразил соболезнования семьям погибших."},
		{ew.Meeting, "Министры провели встречу в Ташкенте."},
	},
	ew.Turkish: {
		{ew.Protest, "Aktöbe'de petrol işçileri ücret artışı talebiyle eylem yaptı."},
		{ew.Riot, "Şımkent'te göstericiler mağazaları yağmaladı."},
		{ew.ViolenceCasualties, "Çatışmalarda 18 polis hayatını kaybetti."},
		{ew.StateOfEmergency, "Taraz'da sokağa çıkma yasağı ilan edildi."},
		{ew.GovernmentResignation, "Kırgızistan hükümeti istifa etti."},
		{ew.AssistanceRequest, "Yetkililer komşu ülkelerden insani yardım talep etti."},
		{ew.AssistanceDeployment, "Rus askerleri Almatı'ya ulaştı."},
		{ew.Withdrawal, "Barış gücü askerleri ülkeden çekildi."},
		{ew.Statement, "Özbekistan Dışişleri Bakanlığı bir açıklama yayımladı."},
		{ew.Solidarity, "Cumhurbaşkanı, Kazak halkına başsağlığı diledi."},
		{ew.Meeting, "Bakanlar Taşkent'te bir toplantı düzenledi."},
	},
	ew.Azerbaijani: {
		{ew.Protest, "Aktobedə neftçilər maaşların artırılması tələbi ilə etiraz ediblər."},
		{ew.Riot, "Şımkentdə iğtişaşlar zamanı mağazalar talan edilib."},
		{ew.ViolenceCasualties, "Toqquşmalarda 18 polis əməkdaşı həlak olub."},
		{ew.StateOfEmergency, "Tarazda komendant saatı tətbiq edilib."},
		{ew.GovernmentResignation, "Qırğızıstan hökuməti istefa verib."},
		{ew.AssistanceRequest, "Hökumət qonşu ölkələrə humanitar yardım üçün müraciət edib."},
		{ew.AssistanceDeployment, "Rusiya hərbçiləri Almatıya çatıb."},
		{ew.Withdrawal, "Sülhməramlı qüvvələr ölkədən çıxarılıb."},
		{ew.Statement, "Özbəkistan XİN bəyanat yayıb."},
		{ew.Solidarity, "Prezident qazax xalqına başsağlığı verib və həmrəylik nümayiş etdirib."},
		{ew.Meeting, "Nazirlər Daşkənddə görüş keçiriblər."},
	},
	ew.Kazakh: {
		{ew.Protest, "Ақтөбеде мұнайшылар жалақыны көтеруді талап етіп ереуілге шықты."},
		{ew.Riot, "Шымкентте тәртіпсіздік кезінде дүкендер тоналды."},
		{ew.ViolenceCasualties, "Қақтығыста 18 полиция қызметкері қаза тапты."},
		{ew.StateOfEmergency, "Таразда төтенше жағдай енгізілді."},
		{ew.GovernmentResignation, "Қырғызстан үкіметі отставкаға кетті."},
		{ew.AssistanceRequest, "Үкімет көрші елдерден гуманитарлық көмек сұрады."},
		{ew.AssistanceDeployment, "Ресей әскерилері Алматыға келді."},
		{ew.Withdrawal, "Бітімгерлер елден шығарылды."},
		{ew.Statement, "Өзбекстан СІМ мәлімдеме жасады."},
		{ew.Solidarity, "Президент қазақ халқына көңіл айтты."},
		{ew.Meeting, "Министрлер Ташкентте кездесу өткізді."},
	},
	ew.Kyrgyz: {
		{ew.Protest, "Актөбөдө мунайчылар айлыкты көтөрүүнү талап кылып нааразылык акциясын өткөрүштү."},
		{ew.Riot, "Шымкентте массалык тартипсиздик учурунда дүкөндөр тоналды."},
		{ew.ViolenceCasualties, "Кагылышууда 18 милиция кызматкери каза болду."},
		{ew.StateOfEmergency, "Таразда өзгөчө абал киргизилди."},
		{ew.GovernmentResignation, "Өкмөт отставкага кетти."},
		{ew.AssistanceRequest, "Бийлик коңшу өлкөлөрдөн гуманитардык жардам сурады."},
		{ew.AssistanceDeployment, "Орусиянын аскерлери Алматыга келди."},
		{ew.Withdrawal, "Тынчтык орнотуучулар өлкөдөн чыгып кетти."},
		{ew.Statement, "Өзбекстандын ТИМи билдирүү таратты."},
		{ew.Solidarity, "Президент казак элине көңүл айтты."},
		{ew.Meeting, "Министрлер Ташкентте жолугушуу өткөрдү."},
	},
	ew.Uzbek: {
		{ew.Protest, "Aqto'bada neftchilar ish haqini oshirishni talab qilib norozilik bildirdi."},
		{ew.Riot, "Chimkentda ommaviy tartibsizliklar paytida do'konlar talon-taroj qilindi."},
		{ew.ViolenceCasualties, "Тўқнашувларда 18 нафар полиция ходими ҳалок бўлди."},
		{ew.StateOfEmergency, "Tarozda favqulodda holat joriy etildi."},
		{ew.GovernmentResignation, "Қирғизистон ҳукумати истеъфога чиқди."},
		{ew.AssistanceRequest, "Hukumat qo'shni davlatlardan insonparvarlik yordami so'radi."},
		{ew.AssistanceDeployment, "Россия ҳарбийлари Олмаотага етиб келди."},
		{ew.Withdrawal, "Tinchlikparvar kuchlar mamlakatdan olib chiqildi."},
		{ew.Statement, "Ташқи ишлар вазирлиги баёнот тарқатди."},
		{ew.Solidarity, "Prezident qozoq xalqiga hamdardlik bildirdi va birdamlikni izhor etdi."},
		{ew.Meeting, "Vazirlar Toshkentda uchrashuv o'tkazdi."},
	},
	ew.Arabic: {
		{ew.Protest, "تظاهر آلاف العمال في أكتوبي للمطالبة برفع الأجور."},
		{ew.Riot, "نهب مثيرو الشغب المتاجر في شيمكنت."},
		{ew.ViolenceCasualties, "قتل 18 شرطيا في الاشتباكات."},
		{ew.StateOfEmergency, "فرضت السلطات حظر التجول في طراز."},
		{ew.GovernmentResignation, "قدمت الحكومة القرغيزية استقالتها."},
		{ew.AssistanceRequest, "طلبت الحكومة مساعدات إنسانية من الدول المجاورة."},
		{ew.AssistanceDeployment, "وصلت قوات روسية إلى ألماتي."},
		{ew.Withdrawal, "غادرت قوات حفظ السلام البلاد."},
		{ew.Statement, "أصدرت وزارة الخارجية الأوزبكية بيانا حول الوضع."},
		{ew.Solidarity, "أعرب الرئيس عن تضامنه مع الشعب الكازاخستاني."},
		{ew.Meeting, "عقد الوزراء اجتماعا في طشقند."},
	},
	ew.Hungarian: {
		{ew.Protest, "Aktöbében olajmunkások tüntettek a béremelésért."},
		{ew.Riot, "Simkentben a zavargások során kifosztották az üzleteket."},
		{ew.ViolenceCasualties, "Az összecsapásokban 18 rendőr meghalt."},
		{ew.StateOfEmergency, "Tarazban kijárási tilalmat rendeltek el."},
		{ew.GovernmentResignation, "A kirgiz kormány lemondott."},
		{ew.AssistanceRequest, "A kormány a szomszédos országokhoz fordult humanitárius segítségért."},
		{ew.AssistanceDeployment, "Orosz katonák érkeztek Almatiba."},
		{ew.Withdrawal, "A békefenntartók elhagyták az országot."},
		{ew.Statement, "Az üzbég külügyminisztérium nyilatkozatot adott ki."},
		{ew.Solidarity, "Az elnök részvétét fejezte ki a kazah népnek."},
		{ew.Meeting, "A miniszterek Taskentben ülést tartottak."},
	},
}

// negatives must not signal the type: denials, speculation, other senses.
var negatives = map[ew.Lang][]case_{
	ew.English: {
		{ew.Protest, "There were no protests in Aktau on Monday."},
		{ew.StateOfEmergency, "The president may declare a state of emergency if the unrest spreads."},
		{ew.Riot, "Riot police were deployed to the square."},
		{ew.AssistanceDeployment, "The last peacekeepers left the country on Wednesday."},
		{ew.ViolenceCasualties, "The ministry offered condolences to the families of the victims."},
		{ew.Meeting, "The ministers proposed a meeting next week."},
	},
	ew.Russian: {
		{ew.Protest, "Протестов в Актау не было."},
		{ew.StateOfEmergency, "Власти могут ввести чрезвычайное положение."},
		{ew.StateOfEmergency, "Министерство по чрезвычайным ситуациям сообщило о снегопаде."},
		{ew.Meeting, "Стороны предложили провести встречу на следующей неделе."},
	},
	ew.Turkish: {
		{ew.Protest, "Aktav'da protesto yaşanmadı."},
		{ew.Meeting, "Bakanlar olağanüstü toplantı yapılmasını önerdi."},
		{ew.StateOfEmergency, "Olağanüstü toplantı yarın yapılacak."},
	},
	ew.Azerbaijani: {
		{ew.StateOfEmergency, "Fövqəladə Hallar Nazirliyi qar barədə xəbərdarlıq edib."},
		{ew.Protest, "Etiraz aksiyası baş verməyib."},
	},
	ew.Kazakh: {
		{ew.StateOfEmergency, "Төтенше жағдайлар министрлігі қар туралы ескертті."},
		{ew.Protest, "Ақтауда наразылық болған жоқ."},
	},
	ew.Kyrgyz: {
		{ew.Protest, "Бишкекте нааразылык болгон жок."},
		{ew.AssistanceDeployment, "Кыргызстандын контингенти жакында жолго чыгары күтүлүүдө."},
	},
	ew.Uzbek: {
		{ew.Meeting, "Yig'ilish videokonferensiya shaklida o'tishi mumkin."},
		{ew.Protest, "Toshkentda norozilik bo'lmadi."},
	},
	ew.Arabic: {
		{ew.Meeting, "اقترحت تركيا عقد اجتماع استثنائي."},
		{ew.Protest, "لم تشهد المدينة أي احتجاجات."},
	},
	ew.Hungarian: {
		{ew.Protest, "Aktauban nem volt tüntetés."},
		{ew.Meeting, "A felek ülést javasoltak a jövő hétre."},
	},
}

func TestMatchPositives(t *testing.T) {
	m := newMatcher(t)
	for _, l := range ew.Languages {
		for _, c := range positives[l] {
			t.Run(fmt.Sprintf("%s/%s", l, c.t), func(t *testing.T) {
				hits := m.Match(c.text, l)
				for _, h := range hits {
					if h.Type == c.t {
						if h.Span.Start < 0 || h.Span.End > len(c.text) || h.Span.Start >= h.Span.End || h.CAMEO == "" {
							t.Errorf("bad hit %+v", h)
						}
						return
					}
				}
				t.Errorf("Match(%q) = %+v, want a %s hit", c.text, hits, c.t)
			})
		}
	}
}

func TestMatchNegatives(t *testing.T) {
	m := newMatcher(t)
	for _, l := range ew.Languages {
		for _, c := range negatives[l] {
			for _, h := range m.Match(c.text, l) {
				if h.Type == c.t {
					t.Errorf("%s: Match(%q) gave %s by %s", l, c.text, c.t, h.Rule)
				}
			}
		}
	}
}

func TestMatchCAMEO(t *testing.T) {
	m := newMatcher(t)
	tests := []struct {
		l     ew.Lang
		text  string
		t     ew.EventType
		cameo string
	}{
		{ew.English, "A curfew was imposed in Almaty.", ew.StateOfEmergency, "1723"},
		{ew.Russian, "Введено чрезвычайное положение.", ew.StateOfEmergency, "1724"},
		{ew.English, "Oil workers went on strike in Zhanaozen.", ew.Protest, "143"},
		{ew.English, "Police opened fire on the crowd.", ew.ViolenceCasualties, "190"},
	}
	for _, tt := range tests {
		var got string
		for _, h := range m.Match(tt.text, tt.l) {
			if h.Type == tt.t {
				got = h.CAMEO
			}
		}
		if got != tt.cameo {
			t.Errorf("%q: CAMEO %q, want %q", tt.text, got, tt.cameo)
		}
	}
}

func TestMatchUnknownLanguage(t *testing.T) {
	m := newMatcher(t)
	if hits := m.Match("protests", ew.Lang("xx")); hits != nil {
		t.Errorf("got %+v", hits)
	}
}

func BenchmarkMatch(b *testing.B) {
	m := newMatcher(b)
	for _, l := range []ew.Lang{ew.English, ew.Russian, ew.Turkish, ew.Kazakh, ew.Arabic} {
		var unit string
		for _, c := range positives[l] {
			unit += c.text + " "
		}
		text := strings.Repeat(unit, 2048/len(unit)+1)[:2048]
		// Sentences as the pipeline passes them.
		var sents []string
		for _, s := range strings.SplitAfter(text, ". ") {
			sents = append(sents, s)
		}
		b.Run(string(l), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				for _, s := range sents {
					m.Match(s, l)
				}
			}
		})
	}
}
