package dates

import "github.com/kurultai/kurultai/internal/ew"

// The Turkic languages glue case suffixes to month and weekday names
// ("5 Ocak'ta", "5 қаңтарда", "5-январында", "5 yanvarda"): their names are
// stems, and each language lists the suffixes it glues to them. Words are
// folded, so the Turkish dotless ı is written as i in suffix lists.

func turkish() vocab {
	return vocab{
		lang:  ew.Turkish,
		stems: true,
		months: [12]string{"ocak", "şubat|subat", "mart", "nisan", "mayıs", "haziran", "temmuz",
			"ağustos|agustos", "eylül|eylul", "ekim", "kasım", "aralık"},
		// "Cuma" (also a name and the Friday prayer) and "Pazar" (also
		// "market") count only with "günü" after them.
		weekdays: [7]string{"!pazar", "pazartesi", "salı", "çarşamba|carsamba", "perşembe|persembe",
			"!cuma", "cumartesi"},
		followers: "günü|gunu|gecesi|sabahı|akşamı|öğleden",
		relative: "dün:-1|dünkü:-1|bugün:0|bugünkü:0|yarın:1|önceki gün:-2|evvelki gün:-2|" +
			"evvelsi gün:-2|dün gece:-1|dün akşam:-1",
		modifiers: "geçen:-1|geçtiğimiz:-1|önümüzdeki:1|gelecek:1|bu:0",
		yearWords: "yılı|yılında|yılının|yılındaki|yıl",
		ranges:    "-|–|—|ile|ve",
		genitives: "in|nin|un|nun|ün|nün",
		monthOf:   "ayının|ayın",
		suffixes: "da|de|ta|te|dan|den|tan|ten|a|e|ya|ye|i|u|ü|yi|yu|yü|in|un|ün|nin|nun|nün|" +
			"daki|deki|taki|teki|dir|dur",
	}
}

func azerbaijani() vocab {
	return vocab{
		lang:  ew.Azerbaijani,
		stems: true,
		months: [12]string{"yanvar", "fevral", "mart", "aprel", "may", "iyun", "iyul", "avqust",
			"sentyabr", "oktyabr", "noyabr", "dekabr"},
		// "bazar" (Sunday, also "market") and "cümə" (Friday) need "günü".
		weekdays: [7]string{"!bazar", "bazar ertəsi", "çərşənbə axşamı", "çərşənbə", "cümə axşamı",
			"!cümə", "şənbə"},
		followers: "günü|gecəsi|səhəri|axşamı",
		relative:  "dünən:-1|dünənki:-1|bugün:0|bu gün:0|bugünkü:0|srağagün:-2|sırağagün:-2",
		modifiers: "keçən:-1|ötən:-1|gələn:1|növbəti:1|bu:0",
		yearWords: "il|ili|ildə|ilin|ilində",
		ranges:    "-|–|—|və",
		genitives: "in|nin|un|nun|ün|nün",
		monthOf:   "ayının|ayın",
		suffixes: "da|də|dan|dən|a|ə|ya|yə|i|u|ü|in|un|ün|nin|nun|nün|dakı|dəki|" +
			"ndə|nda|ndən|ndan",
	}
}

func kazakh() vocab {
	return vocab{
		lang:  ew.Kazakh,
		stems: true,
		months: [12]string{"қаңтар|qańtar|qantar", "ақпан|aqpan", "наурыз|naýryz|nauryz",
			"сәуір|sáýir|sáuir", "мамыр|mamyr", "маусым|maýsym|mausym", "шілде|shilde",
			"тамыз|tamyz", "қыркүйек|qyrkúıek|qyrkúiek", "қазан|qazan", "қараша|qarasha",
			"желтоқсан|jeltoqsan"},
		// "жұма" is also read as "week"; it needs "күні".
		weekdays:  [7]string{"жексенбі", "дүйсенбі", "сейсенбі", "сәрсенбі", "бейсенбі", "!жұма", "сенбі"},
		followers: "күні|түні|кеші",
		relative: "кеше:-1|кешегі:-1|бүгін:0|бүгінгі:0|ертең:1|алдыңғы күні:-2|" +
			"keshe:-1|búgin:0",
		modifiers: "өткен:-1|келесі:1|алдағы:1|осы:0",
		yearWords: "жыл|жылы|жылғы|жылдың|жылда|ж.|jyl|jyly|jylǵy",
		ranges:    "-|–|—|және|мен",
		genitives: "ның|нің|дың|дің|тың|тің|nyń|niń|dyń|diń|tyń|tiń",
		monthOf:   "айының|айы",
		suffixes: "да|де|та|те|нда|нде|дан|ден|тан|тен|нан|нен|ға|ге|қа|ке|на|не|а|е|" +
			"ның|нің|дың|дің|тың|тің|ы|і|сы|сі|ында|інде|ынан|інен|ына|іне|ын|ін|" +
			"дағы|дегі|тағы|тегі|ндағы|ндегі|ғы|гі|қы|кі|" +
			"da|de|ta|te|dan|den|ǵa|ge|qa|ke|daǵy|degi",
	}
}

func kyrgyz() vocab {
	return vocab{
		lang:  ew.Kyrgyz,
		stems: true,
		// Kyrgyz news uses the Russian-derived names; the stems without
		// the soft sign take the suffixes ("январда", "5-январында"). The
		// traditional names are listed only in their two-word forms: the
		// one-word ones (Бугу, Кулжа, Теке) are also animal names.
		months: [12]string{"январь|январ|үчтүн айы", "февраль|феврал|бирдин айы", "март|жалган куран",
			"апрель|апрел|чын куран", "май", "июнь|июн", "июль|июл", "август|баш оона",
			"сентябрь|сентябр|аяк оона", "октябрь|октябр|тогуздун айы", "ноябрь|ноябр|жетинин айы",
			"декабрь|декабр|бештин айы"},
		// "жума" is also read as "week"; it needs "күнү".
		weekdays:  [7]string{"жекшемби", "дүйшөмбү", "шейшемби", "шаршемби", "бейшемби", "!жума", "ишемби"},
		followers: "күнү|түнү|кечинде",
		relative:  "кечээ:-1|кечээги:-1|бүгүн:0|бүгүнкү:0|эртең:1",
		modifiers: "өткөн:-1|келерки:1|кийинки:1|ушул:0",
		yearWords: "жыл|жылы|жылдын|жылкы|жылга|жылдагы|ж.",
		ranges:    "-|–|—|жана",
		genitives: "нын|нин|нун|нүн|дын|дин|дун|дүн|тын|тин|тун|түн|ынын|инин|унун|үнүн",
		monthOf:   "айынын|айы",
		suffixes: "да|де|до|дө|та|те|то|тө|дан|ден|дон|дөн|тан|тен|тон|төн|нан|нен|" +
			"га|ге|го|гө|ка|ке|ко|кө|а|е|о|ө|на|не|но|нө|ын|ин|ун|үн|" +
			"нын|нин|нун|нүн|дын|дин|дун|дүн|тын|тин|тун|түн|ы|и|у|ү|сы|си|су|сү|" +
			"ында|инде|унда|үндө|ынан|инен|унан|үнөн|ына|ине|уна|үнө|" +
			"дагы|деги|догу|дөгү|тагы|теги|тогу|төгү|ндагы|ндеги",
	}
}

func uzbek() vocab {
	return vocab{
		lang:  ew.Uzbek,
		stems: true,
		months: [12]string{"yanvar|январ", "fevral|феврал", "mart|март", "aprel|апрел", "may|май",
			"iyun|июн", "iyul|июл", "avgust|август", "sentabr|sentyabr|сентябр",
			"oktabr|oktyabr|октябр", "noyabr|ноябр", "dekabr|декабр"},
		// "juma" (also the Friday prayer) needs "kuni".
		weekdays: [7]string{"yakshanba|якшанба", "dushanba|душанба", "seshanba|сешанба",
			"chorshanba|чоршанба", "payshanba|пайшанба", "!juma|!жума", "shanba|шанба"},
		followers: "kuni|kechasi|ertalab|куни|кечаси|эрталаб",
		// "kecha" is also "night": "bugun kecha" is tonight.
		relative: "kecha:-1<bugun,shu,o'sha,har>kechasi|kechagi:-1|bugun:0|bugungi:0|ertaga:1|" +
			"кеча:-1<бугун,шу,ўша,ҳар>кечаси|кечаги:-1|бугун:0|бугунги:0|эртага:1",
		modifiers: "o'tgan:-1|kelasi:1|keyingi:1|shu:0|ўтган:-1|келаси:1|кейинги:1|шу:0",
		yearWords: "yil|yili|yilda|yilning|yilgi|y.|йил|йили|йилда|йилнинг|йилги|й.",
		ranges:    "-|–|—|va|ва",
		genitives: "ning|нинг",
		monthOf:   "oyining|ойининг",
		suffixes:  "da|dan|ga|ka|qa|ning|ni|dagi|gacha|dek|да|дан|га|ка|қа|нинг|ни|даги|гача",
	}
}
