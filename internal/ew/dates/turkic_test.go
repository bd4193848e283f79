package dates

import (
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/ew"
)

func TestTurkish(t *testing.T) {
	t.Parallel()
	runCases(t, ew.Turkish, []extractCase{
		{"day month year suffix", "Protestolar 2 Ocak 2022'de Janaözen'de başladı.",
			time.Time{}, []want{{"2 Ocak 2022'de", "2022-01-02", Absolute}}},
		{"plain", "Olaylar 5 Ocak 2022 tarihinde Almatı'ya yayıldı.",
			time.Time{}, []want{{"5 Ocak 2022", "2022-01-05", Absolute}}},
		{"apostrophe locative", "Hükümet 5 Ocak'ta istifa etti.",
			time.Time{}, []want{{"5 Ocak'ta", "2022-01-05", DayMonth}}},
		{"typographic apostrophe", "Hükümet 5 Ocak’ta istifa etti.",
			time.Time{}, []want{{"5 Ocak’ta", "2022-01-05", DayMonth}}},
		{"glued locative", "Olağanüstü hal 5 Ocakta ilan edildi.",
			time.Time{}, []want{{"5 Ocakta", "2022-01-05", DayMonth}}},
		{"ablative", "Havalimanı 5 Ocak'tan beri kapalı.",
			time.Time{}, []want{{"5 Ocak'tan", "2022-01-05", DayMonth}}},
		{"relative suffix", "KGAÖ birlikleri 6 Ocak'taki karar sonrası geldi.",
			time.Time{}, []want{{"6 Ocak'taki", "2022-01-06", DayMonth}}},
		{"month of", "Ocak ayının 7'sinde kısıtlamalar gevşetildi.",
			time.Time{}, []want{{"Ocak ayının 7'sinde", "2022-01-07", DayMonth}}},
		{"ascii spelling", "Görüşme 14 Subat 2022 tarihinde yapıldı.",
			time.Time{}, []want{{"14 Subat 2022", "2022-02-14", Absolute}}},
		{"upper case", "5 KASIM 2021 TARİHLİ KARAR",
			time.Time{}, []want{{"5 KASIM 2021", "2021-11-05", Absolute}}},
		{"range", "13-19 Ocak tarihleri arasında uçuşlar iptal edildi.",
			time.Time{}, []want{{"13", "2022-01-13", DayMonth}, {"19 Ocak", "2022-01-19", DayMonth}}},
		{"yesterday evening and today", "Dün akşam şehirde sokağa çıkma yasağı vardı, bugün dükkanlar açıldı.",
			time.Time{}, []want{{"Dün akşam", "2022-01-09", Relative}, {"bugün", "2022-01-10", Relative}}},
		{"weekday with follower", "Cumhurbaşkanı Çarşamba günü ulusa seslendi.",
			time.Time{}, []want{{"Çarşamba günü", "2022-01-05", Weekday}}},
		{"last friday", "Geçen cuma günü internet yeniden açıldı.",
			time.Time{}, []want{{"Geçen cuma günü", "2022-01-07", Weekday}}},
		{"friday prayer", "Cuma namazı sonrası cami önünde toplanıldı.", time.Time{}, nil},
		{"market", "Pazar yerinde tezgâhlar boştu.", time.Time{}, nil},
	})
}

func TestAzerbaijani(t *testing.T) {
	t.Parallel()
	runCases(t, ew.Azerbaijani, []extractCase{
		{"year ordinal", "Etirazlar 5 yanvar 2022-ci il tarixində Almatıya yayıldı.",
			time.Time{}, []want{{"5 yanvar 2022-ci il", "2022-01-05", Absolute}}},
		{"genitive month first", "Etirazlar 2022-ci il yanvarın 2-də başladı.",
			time.Time{}, []want{{"2022-ci il yanvarın 2-də", "2022-01-02", Absolute}}},
		{"locative", "Hökumət 5 yanvarda istefa verdi.",
			time.Time{}, []want{{"5 yanvarda", "2022-01-05", DayMonth}}},
		{"hyphen locative", "Fövqəladə vəziyyət 5-yanvarda elan olundu.",
			time.Time{}, []want{{"5-yanvarda", "2022-01-05", DayMonth}}},
		{"yesterday and today", "Dünən axşam şəhərdə sakitlik idi, bu gün mağazalar açıldı.",
			time.Time{}, []want{{"Dünən", "2022-01-09", Relative}, {"bu gün", "2022-01-10", Relative}}},
		{"wednesday", "Prezident çərşənbə günü xalqa müraciət etdi.",
			time.Time{}, []want{{"çərşənbə günü", "2022-01-05", Weekday}}},
		{"two-word weekdays", "Qoşunlar cümə axşamı gəldi, bazar ertəsi isə məktəblər açıldı.",
			time.Time{}, []want{{"cümə axşamı", "2022-01-06", Weekday}, {"bazar ertəsi", "2022-01-10", Weekday}}},
		{"last friday", "Ötən cümə günü məhdudiyyətlər yumşaldıldı.",
			time.Time{}, []want{{"Ötən cümə günü", "2022-01-07", Weekday}}},
		{"market", "Bazarda qiymətlər artdı, bazar bağlı idi.", time.Time{}, nil},
	})
}

func TestKazakh(t *testing.T) {
	t.Parallel()
	runCases(t, ew.Kazakh, []extractCase{
		{"year first", "Наразылық 2022 жылғы 2 қаңтарда Жаңаөзенде басталды.",
			time.Time{}, []want{{"2022 жылғы 2 қаңтарда", "2022-01-02", Absolute}}},
		{"day month year", "Төтенше жағдай 5 қаңтар 2022 жыл енгізілді.",
			time.Time{}, []want{{"5 қаңтар 2022 жыл", "2022-01-05", Absolute}}},
		{"locative", "Үкімет 5 қаңтарда отставкаға кетті.",
			time.Time{}, []want{{"5 қаңтарда", "2022-01-05", DayMonth}}},
		{"hyphen locative", "Үкімет 5-қаңтарда отставкаға кетті.",
			time.Time{}, []want{{"5-қаңтарда", "2022-01-05", DayMonth}}},
		{"genitive month first", "ҰҚШҰ әскерлері қаңтардың 6-сы күні келді.",
			time.Time{}, []want{{"қаңтардың 6-сы", "2022-01-06", DayMonth}}},
		{"other months", "Сайлау 20 наурызда, ал референдум 5 маусымда өтеді.",
			time.Time{}, []want{{"20 наурызда", "2022-03-20", DayMonth}, {"5 маусымда", "2021-06-05", DayMonth}}},
		{"range", "5-7 қаңтар аралығында интернет өшірілді.",
			time.Time{}, []want{{"5", "2022-01-05", DayMonth}, {"7 қаңтар", "2022-01-07", DayMonth}}},
		{"yesterday today", "Кеше қалада тыныш болды, бүгін дүкендер ашылды.",
			time.Time{}, []want{{"Кеше", "2022-01-09", Relative}, {"бүгін", "2022-01-10", Relative}}},
		{"weekday locative", "Президент сәрсенбіде халыққа үндеу жасады.",
			time.Time{}, []want{{"сәрсенбіде", "2022-01-05", Weekday}}},
		{"friday", "Жұма күні шектеулер жеңілдетілді.",
			time.Time{}, []want{{"Жұма күні", "2022-01-07", Weekday}}},
		{"week", "Бір жұма бойы интернет болмады.", time.Time{}, nil},
	})
}

func TestKyrgyz(t *testing.T) {
	t.Parallel()
	runCases(t, ew.Kyrgyz, []extractCase{
		{"year first", "Нааразылык акциялары 2022-жылдын 2-январында башталды.",
			time.Time{}, []want{{"2022-жылдын 2-январында", "2022-01-02", Absolute}}},
		{"hyphen nominative", "Бишкекте 5-январь 2022-жылы митинг болду.",
			time.Time{}, []want{{"5-январь 2022-жылы", "2022-01-05", Absolute}}},
		{"locative", "Өкмөт 5-январда кызматтан кетти.",
			time.Time{}, []want{{"5-январда", "2022-01-05", DayMonth}}},
		{"relative suffix", "6-январдагы чечим боюнча аскерлер жөнөтүлдү.",
			time.Time{}, []want{{"6-январдагы", "2022-01-06", DayMonth}}},
		{"traditional name", "Жыйын 2021-жылдын 24-бештин айы өттү.",
			time.Time{}, []want{{"2021-жылдын 24-бештин айы", "2021-12-24", Absolute}}},
		{"yesterday today", "Кечээ шаарда тынч болду, бүгүн дүкөндөр ачылды.",
			time.Time{}, []want{{"Кечээ", "2022-01-09", Relative}, {"бүгүн", "2022-01-10", Relative}}},
		{"weekday", "Президент шаршемби күнү элге кайрылды.",
			time.Time{}, []want{{"шаршемби күнү", "2022-01-05", Weekday}}},
		{"week", "Бир жума ичинде интернет иштеген жок.", time.Time{}, nil},
	})
}

func TestUzbek(t *testing.T) {
	t.Parallel()
	runCases(t, ew.Uzbek, []extractCase{
		{"year first", "Namoyishlar 2022 yil 2 yanvar kuni boshlandi.",
			time.Time{}, []want{{"2022 yil 2 yanvar", "2022-01-02", Absolute}}},
		{"hyphen locative", "Hukumat 5-yanvarda iste'foga chiqdi.",
			time.Time{}, []want{{"5-yanvarda", "2022-01-05", DayMonth}}},
		{"locative", "Favqulodda holat 5 yanvarda e'lon qilindi.",
			time.Time{}, []want{{"5 yanvarda", "2022-01-05", DayMonth}}},
		{"cyrillic locative", "Ҳукумат 5 январда истеъфога чиқди.",
			time.Time{}, []want{{"5 январда", "2022-01-05", DayMonth}}},
		{"cyrillic hyphen", "Ҳукумат 5-январда истеъфога чиқди.",
			time.Time{}, []want{{"5-январда", "2022-01-05", DayMonth}}},
		{"cyrillic year first", "Намойишлар 2022 йил 2 январ куни бошланди.",
			time.Time{}, []want{{"2022 йил 2 январ", "2022-01-02", Absolute}}},
		{"genitive month first", "Qo'shinlar yanvarning 6-kuni yetib keldi.",
			time.Time{}, []want{{"yanvarning 6-kuni", "2022-01-06", DayMonth}}},
		{"yesterday today", "Kecha shaharda tinch edi, bugun do'konlar ochildi.",
			time.Time{}, []want{{"Kecha", "2022-01-09", Relative}, {"bugun", "2022-01-10", Relative}}},
		{"tonight is not yesterday", "Bugun kecha komendantlik soati bekor qilinadi.",
			time.Time{}, []want{{"Bugun", "2022-01-10", Relative}}},
		{"cyrillic yesterday", "Кеча шаҳарда тинч эди.",
			time.Time{}, []want{{"Кеча", "2022-01-09", Relative}}},
		{"weekday", "Prezident chorshanba kuni xalqqa murojaat qildi.",
			time.Time{}, []want{{"chorshanba kuni", "2022-01-05", Weekday}}},
		{"last friday with okina", "Oʻtgan juma kuni cheklovlar yumshatildi.",
			time.Time{}, []want{{"Oʻtgan juma kuni", "2022-01-07", Weekday}}},
		{"friday prayer", "Juma namozi masjidlarda o'qildi.", time.Time{}, nil},
	})
}
