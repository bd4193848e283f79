package lang

// stopWords lists, per model, frequent function words that tell its
// language apart from the others in the same script. Words shared by close
// relatives (Turkish and Azerbaijani "bu", Kazakh and Kyrgyz "бир") still
// help against the rest; the n-gram models settle between the relatives.
// Words are lower-case, with apostrophes as '.
var stopWords = map[string][]string{
	"en": {"the", "and", "of", "to", "in", "is", "was", "that", "for", "on", "with", "as", "by",
		"said", "it", "from", "at", "which", "have", "has", "had", "were", "be", "been", "will",
		"would", "their", "they", "this", "after", "an", "or", "not", "but", "also", "its", "who"},
	"tr": {"ve", "bir", "bu", "için", "ile", "da", "de", "olarak", "olan", "daha", "çok", "gibi",
		"ancak", "ise", "sonra", "kadar", "göre", "ama", "yaptığı", "etti", "oldu", "olduğunu",
		"değil", "şu", "her", "ne", "en", "ki", "mı", "mi", "veya", "ayrıca", "tarafından", "üzere",
		"yeni", "büyük", "bütün", "tüm", "şey", "nasıl"},
	"az": {"və", "bir", "bu", "üçün", "ilə", "da", "də", "olaraq", "olan", "daha", "çox", "kimi",
		"lakin", "isə", "sonra", "qədər", "görə", "amma", "edib", "etdi", "olub", "olduğunu",
		"deyil", "hər", "nə", "ən", "ki", "həm", "həmçinin", "tərəfindən", "üzrə", "yeni", "böyük",
		"bütün", "bildirib", "qeyd", "edilib", "olunub", "artıq", "ölkə"},
	"uz-latn": {"va", "bilan", "uchun", "bu", "bir", "ham", "esa", "deb", "ekan", "edi", "qildi",
		"bo'lgan", "bo'ldi", "ko'ra", "keyin", "qadar", "lekin", "biroq", "yoki", "har", "eng",
		"hamda", "orqali", "bo'yicha", "haqida", "shu", "u", "ular", "yil", "yangi", "katta",
		"mumkin", "kerak", "emas", "yo'q", "bo'lib", "etdi", "qilindi", "ma'lum"},
	"hu": {"a", "az", "és", "hogy", "nem", "is", "egy", "meg", "de", "van", "volt", "szerint",
		"után", "már", "még", "mint", "csak", "pedig", "vagy", "azt", "ez", "ezt", "aki", "amely",
		"kell", "lesz", "több", "között", "miatt", "alatt", "óta", "által", "ami", "minden", "sem"},
	"ru": {"и", "в", "во", "не", "на", "что", "с", "со", "по", "как", "это", "из", "за", "для",
		"от", "о", "об", "к", "но", "он", "она", "они", "было", "был", "была", "были", "также",
		"уже", "после", "при", "до", "его", "её", "их", "который", "которые", "или", "так",
		"же", "ещё", "чтобы", "может", "этом", "того"},
	"kk": {"және", "мен", "бен", "пен", "үшін", "деп", "бұл", "осы", "бір", "да", "де", "та", "те",
		"ол", "олар", "еді", "болды", "болып", "туралы", "бойынша", "кейін", "дейін", "арқылы",
		"сияқты", "бірақ", "алайда", "әлі", "ең", "жоқ", "емес", "тиіс", "керек", "жыл", "жаңа",
		"барлық", "күні", "қазір", "сондай", "сондықтан", "тағы"},
	"ky": {"жана", "менен", "үчүн", "деп", "бул", "ошол", "бир", "да", "дагы", "ал", "алар",
		"эле", "болду", "болуп", "тууралуу", "боюнча", "кийин", "чейин", "аркылуу", "сыяктуу",
		"бирок", "эң", "жок", "эмес", "керек", "жыл", "жаңы", "бардык", "күнү", "азыр", "ошондой",
		"ошондуктан", "дагы", "кошо", "экенин", "турганын", "эмне", "жатат"},
	"uz-cyrl": {"ва", "билан", "учун", "бу", "бир", "ҳам", "эса", "деб", "экан", "эди", "қилди",
		"бўлган", "бўлди", "кўра", "кейин", "қадар", "лекин", "бироқ", "ёки", "ҳар", "энг",
		"ҳамда", "орқали", "бўйича", "ҳақида", "шу", "у", "улар", "йил", "янги", "катта",
		"мумкин", "керак", "эмас", "йўқ", "бўлиб", "этди", "қилинди", "маълум"},
	"ar": {"في", "من", "على", "إلى", "عن", "أن", "التي", "الذي"},
}
