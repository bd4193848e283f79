package dates

import "github.com/kurultai/kurultai/internal/ew"

// vocab is the word list of one language. Lists separate alternatives with
// "|"; an alternative may be a phrase of several words, end in ":N" (its
// value), "<a,b" (words before it that cancel it) and ">a,b" (words after it
// that cancel it). A month or weekday ending in "." is an abbreviation; a
// weekday starting with "!" counts only with a follower word ("Cuma günü").
// Words are stored folded (see fold), so case and the Arabic letter variants
// need not be listed.
type vocab struct {
	lang          ew.Lang
	stems         bool       // month and weekday names take case suffixes
	capital       bool       // month and weekday names must be capitalised
	months        [12]string // January first
	weekdays      [7]string  // Sunday first, as time.Weekday
	relative      string     // days from publication: "yesterday:-1"
	yearWords     string     // after a year: "года", "yil", "жылы"
	yearPrefixes  string     // before a year: "عام"
	modifiers     string     // before a weekday: "last:-1", "next:1"
	postModifiers string     // after a weekday: "الماضي:-1"
	followers     string     // after a weekday: "günü"
	preps         string     // weekdays count only after one of these
	ranges        string     // between the two days of a range or pair
	of            string     // between a day and its month: "of", "من"
	ordinals      string     // ordinal day words: "العاشر:10"
	teens         string     // "عشر": ordinal + 10
	tens          string     // "والعشرين:20": ordinal + 20
	daySuffixes   string     // glued to a day: "th"
	suffixes      string     // case suffixes after a month or weekday stem
	genitives     string     // genitive suffixes: "yanvarın 5-də"
	monthOf       string     // "ayının" between month and day: "Ocak ayının 5'inde"
}

// vocabs lists the word lists of every language.
func vocabs() []vocab {
	return []vocab{english(), russian(), hungarian(), arabic(),
		turkish(), azerbaijani(), kazakh(), kyrgyz(), uzbek()}
}

func english() vocab {
	return vocab{
		lang:    ew.English,
		capital: true,
		months: [12]string{"January|Jan.", "February|Feb.", "March|Mar.", "April|Apr.", "May",
			"June|Jun.", "July|Jul.", "August|Aug.", "September|Sep.|Sept.", "October|Oct.",
			"November|Nov.", "December|Dec."},
		weekdays: [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
		relative: "yesterday:-1|today:0<russia,usa,china,africa,egypt|tomorrow:1|" +
			"the day before yesterday:-2|day before yesterday:-2|last night:-1|tonight:0|" +
			"this morning:0|this afternoon:0|this evening:0",
		modifiers:   "last:-1|past:-1|next:1|coming:1|this:0",
		ranges:      "-|–|—|to|and|through|until",
		of:          "of",
		daySuffixes: "st|nd|rd|th",
	}
}

func russian() vocab {
	return vocab{
		lang: ew.Russian,
		months: [12]string{"января|январь|янв.", "февраля|февраль|фев.|февр.", "марта|март|мар.",
			"апреля|апрель|апр.", "мая|май", "июня|июнь|июн.", "июля|июль|июл.", "августа|август|авг.",
			"сентября|сентябрь|сен.|сент.", "октября|октябрь|окт.", "ноября|ноябрь|ноя.|нояб.",
			"декабря|декабрь|дек."},
		// Accusative forms after "в"/"во"; the nominative "среда" is
		// also "environment" and is left out.
		weekdays: [7]string{"воскресенье", "понедельник", "вторник", "среду", "четверг", "пятницу", "субботу"},
		preps:    "в|во|ночь на",
		relative: "вчера:-1|сегодня:0|позавчера:-2|завтра:1|прошлой ночью:-1|минувшей ночью:-1|" +
			"вчерашний:-1|вчерашнего:-1",
		modifiers: "прошлую:-1|прошлый:-1|прошлое:-1|минувшую:-1|минувший:-1|минувшее:-1|" +
			"следующую:1|следующий:1|следующее:1|ближайшую:1|ближайший:1|ближайшее:1|" +
			"эту:0|этот:0|это:0",
		yearWords: "года|год|году|г.|гг.",
		ranges:    "-|–|—|и|по|до",
	}
}

func hungarian() vocab {
	return vocab{
		lang: ew.Hungarian,
		months: [12]string{"január|jan.", "február|febr.", "március|márc.", "április|ápr.",
			"május|máj.", "június|jún.", "július|júl.", "augusztus|aug.", "szeptember|szept.",
			"október|okt.", "november|nov.", "december|dec."},
		weekdays: [7]string{"vasárnap|vasárnapi", "hétfő|hétfőn|hétfői", "kedd|kedden|keddi",
			"szerda|szerdán|szerdai", "csütörtök|csütörtökön|csütörtöki", "péntek|pénteken|pénteki",
			"szombat|szombaton|szombati"},
		relative:  "tegnap:-1|ma:0|tegnapelőtt:-2|holnap:1|tegnapi:-1|tegnap este:-1",
		modifiers: "múlt:-1|jövő:1|ezen:0",
		ranges:    "-|–|—|és",
	}
}

func arabic() vocab {
	return vocab{
		lang: ew.Arabic,
		// Three series: the Egyptian and Gulf one (يناير), the Levantine
		// and Iraqi one (كانون الثاني) and the Maghrebi ones (جانفي, يوليوز).
		months: [12]string{
			"يناير|كانون الثاني|كانون ثاني|جانفي",
			"فبراير|شباط|فيفري",
			"مارس|آذار",
			"أبريل|ابريل|نيسان|أفريل",
			"مايو|أيار|ماي",
			"يونيو|يونيه|حزيران|جوان",
			"يوليو|يوليه|تموز|جويلية|يوليوز",
			"أغسطس|آب|أوت|غشت",
			"سبتمبر|أيلول|شتنبر",
			"أكتوبر|تشرين الأول|تشرين أول",
			"نوفمبر|تشرين الثاني|تشرين ثاني|نونبر",
			"ديسمبر|كانون الأول|كانون أول|دجنبر",
		},
		weekdays: [7]string{"الأحد", "الاثنين|الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت"},
		relative: "أمس:-1|بالأمس:-1|البارحة:-1|أول أمس:-2|أول من أمس:-2|غدا:1|" +
			"اليوم:0<روسيا>التالي,السابق,الأول,الثاني,الثالث,السابع,الوطني,العالمي,الدولي,نفسه,ذاته",
		postModifiers: "الماضي:-1|الماضية:-1|المقبل:1|القادم:1",
		yearWords:     "م|ميلادي|ميلادية",
		yearPrefixes:  "عام|سنة|العام",
		ranges:        "-|–|—|و|إلى|الى|حتى",
		of:            "من",
		ordinals: "الأول:1|الحادي:1|الواحد:1|الثاني:2|الثالث:3|الرابع:4|الخامس:5|السادس:6|" +
			"السابع:7|الثامن:8|التاسع:9|العاشر:10|العشرين:20|العشرون:20|الثلاثين:30|الثلاثون:30",
		teens: "عشر",
		tens:  "والعشرين:20|والعشرون:20|والثلاثين:30|والثلاثون:30",
	}
}
