// Package dates finds the dates that news text mentions, in the nine
// languages of early warning (Turkish, Azerbaijani, Kazakh, Kyrgyz, Uzbek in
// Latin and Cyrillic, Russian, Arabic, English, Hungarian), and resolves each
// to a calendar date.
//
// # How it reads
//
// The text is cut into tokens (numbers, words, single punctuation marks)
// that remember their byte offsets, so every mention carries the exact span
// of the words that gave it. Numbers are read in ASCII, Arabic-Indic (٠–٩)
// and Persian (۰–۹) digits. Words are compared folded: lower case, the
// Turkish ı as i, every apostrophe (' ’ ʼ ʻ) as one, ё as е, and the Arabic
// letter variants (hamza seats, alif maqsura, ta marbuta, Persian yeh and
// kaf) as one letter each, with vowel marks and the tatweel dropped. An
// Arabic word may carry a joined و, ف, ب or ل ("والخامس"); the span then
// starts after it.
//
// The word lists (words.go, words_turkic.go) are data: month names (with
// abbreviations), weekday names, relative words, year words ("года",
// "yil", "жылы"), weekday modifiers ("last", "в прошлую", "geçen") and
// the case suffixes of the Turkic languages. They are built once into a
// trie. A Turkic month or weekday name is a stem: "қаңтарда", "yanvarda",
// "январында" and "Ocakta" are read as the stem and a listed case suffix;
// after an apostrophe ("Ocak'ta", "Wednesday's") any letters are a suffix.
// No date library is used: go-dateparser v1.4.7, measured against this
// package, took about 12 ms to search a 3.5 KB Russian article (this package:
// about 40 µs for 2 KB), found none of "5 Ocak'ta", "5 қаңтарда",
// "5 yanvarda", "5-январында" or "the 5th of January", gave no offsets,
// and added about 8.6 MB to a binary (a WebAssembly regular-expression
// engine among its dependencies).
//
// Month names and numeric dates of every language are read in any text
// (a Kazakh article may quote "5 января"); relative words and weekday names
// only in the text's own language, where they cannot be mistaken for
// something else. English month and weekday names must be capitalised
// ("may 5" is not a date).
//
// # Forms
//
//   - Day, month, year: "5 January 2022", "5 января 2022 года",
//     "5 Ocak 2022'de", "5 yanvar 2022-ci il", "5 қаңтар 2022 жыл",
//     "5-январь 2022-жылы", "5 يناير 2022", "5 كانون الثاني 2022",
//     "6 يناير/كانون الثاني 2022"; Arabic "عام 2022" and "2022م" too.
//   - Month first: English "January 5, 2022", "January 5th", "Jan. 5";
//     Hungarian "január 5-én", "január 5-ig"; Turkic genitives
//     "yanvarın 5-də", "қаңтардың 6-сы", "yanvarning 6-kuni",
//     "Ocak ayının 7'sinde".
//   - Year first: Hungarian "2022. január 5."; Turkic "2022 yil 5 yanvar",
//     "2022 жылғы 2 қаңтарда", "2022-жылдын 2-январында".
//   - Day words: English "the 5th of January"; Arabic ordinal days
//     "العاشر من يناير", "الحادي عشر من كانون الثاني", "الخامس والعشرين من مارس".
//   - Numbers: 2022-01-05, 2022.01.05, 05.01.2022, 05/01/2022 and 5-1-2022
//     are read year-month-day when the year comes first and day-month-year
//     otherwise. In English a slash date is read only when one part exceeds
//     12 (13/1/2022, 1/13/2022), because both orders are in use there.
//   - Ranges and pairs share the month and year written once: "13–19 January
//     2022", "5 and 6 January", "с 5 по 7 января", "5 و6 يناير", "January
//     13–19". Both ends are returned, each with the span of its own words
//     (so the start of "13–19 January" is the mention "13").
//   - Relative words count days from publication: yesterday, today,
//     tomorrow, the day before yesterday, last night (the day before);
//     вчера, сегодня, позавчера; dün, bugün; dünən, bu gün; кеше, бүгін;
//     кечээ, бүгүн; kecha, bugun, кеча; tegnap, ma, tegnapelőtt; أمس, اليوم,
//     أول من أمس. Neighbours cancel some of them: "Russia Today",
//     "روسيا اليوم", "اليوم التالي" (the next day), "bugun kecha" (tonight).
//   - Weekdays: the latest such day on or before publication ("on
//     Wednesday"; a Wednesday article's "Wednesday" is that day), strictly
//     before with "last" and its equivalents, strictly after with "next".
//     Russian weekdays need "в"/"во" or "в ночь на" ("среда" is also
//     "environment"); the Turkic words that are also common nouns (Turkish
//     "pazar", "cuma"; Azerbaijani "bazar", "cümə"; Kazakh "жұма", Kyrgyz
//     "жума", Uzbek "juma") need the word "day" after them ("Cuma günü").
//     A weekday written next to a date ("Wednesday, January 5, 2022") is
//     left out: the date says more.
//
// # Years
//
// A day and month without a year (Kind DayMonth) take their year from an
// anchor: the nearest full date written before them in the text, else the
// nearest after them, else the publication date. Full dates more than 400
// days from publication are historical references ("16 December 1986") and
// are no anchors. Of the anchor's year and the years either side, the one
// that puts the date nearest the anchor wins, a day after the anchor counting
// as two days before it, since news mostly reports what has happened: read on
// 2 January 2022, "30 December" is 2021-12-30; read on 10 January 2022,
// "15 January" is 2022-01-15, "20 March" 2022-03-20 and "5 July" 2021-07-05.
//
// The publication date is the calendar date of the published time in its
// own location (feeds carry the outlet's offset). Without it, relative words
// and weekdays are not returned, and day-months only with an anchor in the
// text.
//
// # Left out
//
// Impossible dates (31 February) and years outside 1900–2100 are not
// returned; a four-digit number from 1000 to 2999 after a month is taken
// as its year, so "5 January 1850" is dropped rather than read as a
// day-month (and "5 January 2000 protesters" is read as the year 2000).
// Months without a day ("in January 2022"), two-digit years (05.01.22),
// times of day, word-spelled days outside Arabic ("пятого января") and the
// one-word traditional Kyrgyz month names (Бугу, Кулжа, Теке: also animal
// names) are not read.
package dates
