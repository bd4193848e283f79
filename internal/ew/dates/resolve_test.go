package dates

import (
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/ew"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }

func TestYearInference(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		text string
		pub  time.Time
		want []want
	}{
		{"late december read in january is last year", "Prices doubled on 30 December.", day(2022, 1, 2),
			[]want{{"30 December", "2021-12-30", DayMonth}}},
		{"a few days ahead stays this year", "Protests are planned for 15 January.", day(2022, 1, 10),
			[]want{{"15 January", "2022-01-15", DayMonth}}},
		{"announced date months ahead", "Elections will be held on 20 March.", day(2022, 1, 10),
			[]want{{"20 March", "2022-03-20", DayMonth}}},
		{"half a year either way prefers the past", "The law was passed on 5 July.", day(2022, 1, 10),
			[]want{{"5 July", "2021-07-05", DayMonth}}},
		{"earlier full date lends its year", "Protests began on 2 January 2022. By 5 January they had spread.", day(2023, 1, 20),
			[]want{{"2 January 2022", "2022-01-02", Absolute}, {"5 January", "2022-01-05", DayMonth}}},
		{"later full date lends its year", "Prices doubled on 30 December; on 2 January 2022 people took to the streets.", day(2022, 1, 10),
			[]want{{"30 December", "2021-12-30", DayMonth}, {"2 January 2022", "2022-01-02", Absolute}}},
		{"historical date lends nothing", "The events of 16 December 1986 are remembered. Protests began on 5 January.", day(2022, 1, 10),
			[]want{{"16 December 1986", "1986-12-16", Absolute}, {"5 January", "2022-01-05", DayMonth}}},
		{"without publication a full date still anchors", "Protests began on 4 January 2022; on 5 January the cabinet resigned.", time.Time{},
			[]want{{"4 January 2022", "2022-01-04", Absolute}, {"5 January", "2022-01-05", DayMonth}}},
		{"without publication or anchor nothing is inferred", "On 5 January the cabinet resigned, yesterday said the minister, on Monday.", time.Time{},
			nil},
		{"leap day in a leap year", "Talks were held on 29 February.", day(2024, 3, 10),
			[]want{{"29 February", "2024-02-29", DayMonth}}},
		{"range ends share the year", "Schools were closed on 30–31 December.", day(2022, 1, 3),
			[]want{{"30", "2021-12-30", DayMonth}, {"31 December", "2021-12-31", DayMonth}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			checkExtract(t, c.text, ew.English, c.pub, c.want)
		})
	}
}

func TestPublicationDateIsLocal(t *testing.T) {
	t.Parallel()
	// 01:00 on 10 January in Almaty is still 9 January in UTC; the
	// article's own calendar day counts.
	pub := time.Date(2022, 1, 10, 1, 0, 0, 0, almaty)
	checkExtract(t, "Кеше қалада тыныш болды.", ew.Kazakh, pub, []want{{"Кеше", "2022-01-09", Relative}})
}

func TestWeekdayDate(t *testing.T) {
	t.Parallel()
	monday := ew.Date{Year: 2022, Month: time.January, Day: 10}
	cases := []struct {
		wd   time.Weekday
		dir  int
		want string
	}{
		{time.Monday, 0, "2022-01-10"},
		{time.Sunday, 0, "2022-01-09"},
		{time.Tuesday, 0, "2022-01-04"},
		{time.Monday, -1, "2022-01-03"},
		{time.Sunday, -1, "2022-01-09"},
		{time.Monday, 1, "2022-01-17"},
		{time.Tuesday, 1, "2022-01-11"},
	}
	for _, c := range cases {
		if got := weekdayDate(monday, c.wd, c.dir).String(); got != c.want {
			t.Errorf("weekdayDate(%s, %s, %d) = %s, want %s", monday, c.wd, c.dir, got, c.want)
		}
	}
}

func TestRelativeAcrossMonthAndYear(t *testing.T) {
	t.Parallel()
	checkExtract(t, "Вчера и позавчера было тихо, в пятницу тоже.", ew.Russian, day(2022, 1, 1), []want{
		{"Вчера", "2021-12-31", Relative}, {"позавчера", "2021-12-30", Relative}, {"пятницу", "2021-12-31", Weekday}})
}

func TestNotDates(t *testing.T) {
	t.Parallel()
	cases := []struct {
		lang ew.Lang
		text string
	}{
		{ew.English, "5 people were killed and 2022 votes were counted under Article 4."},
		{ew.English, "At 10:30 the index fell 1.5% to 2022.5 points; 5% of 31 stations closed."},
		{ew.English, "In 2022 the economy grew by 4 percent, and 12 of 15 regions reported."},
		{ew.English, "The A320 landed at gate 5; version 1.2.3 of the app was updated 3 times."},
		{ew.English, "Protesters may 5 times march 7 km."},
		{ew.English, "The 31 February 2022 order and 30.02.2022 do not exist."},
		{ew.English, "A map from 5 January 1850 and a plan for 5 January 2150."},
		{ew.English, "COVID-19 cases rose to 2022 in 5 regions."},
		{ew.Russian, "5 человек погибли, 2022 голоса подсчитаны, статья 4 закона."},
		{ew.Turkish, "5 kişi hayatını kaybetti, 2022 oy sayıldı."},
		{ew.Kazakh, "5 адам қаза тапты, 2022 жылы өсім болды."},
		{ew.Arabic, "قتل 5 أشخاص وفرز ٢٠٢٢ صوتا بموجب المادة 4."},
		{ew.Hungarian, "5 ember meghalt, a 2022-es választáson 4 párt indult."},
		{ew.Uzbek, "5 kishi halok bo'ldi, 2022 yilda 4 foiz o'sish."},
		{ew.Unknown, "yesterday today вчера dün 5 people"},
	}
	for _, c := range cases {
		if got := Extract(c.text, c.lang, pubMonday); len(got) != 0 {
			t.Errorf("Extract(%q, %s) = %s, want none", c.text, c.lang, describe(got))
		}
	}
}

func TestMonthNamesInAnyLanguage(t *testing.T) {
	t.Parallel()
	// A Kazakh article quoting a Russian date, and an unknown language.
	checkExtract(t, "Құжат 5 января 2022 года қабылданды.", ew.Kazakh, pubMonday,
		[]want{{"5 января 2022 года", "2022-01-05", Absolute}})
	checkExtract(t, "5 January 2022", ew.Unknown, pubMonday,
		[]want{{"5 January 2022", "2022-01-05", Absolute}})
}

func TestKindString(t *testing.T) {
	t.Parallel()
	for k, want := range map[Kind]string{Absolute: "absolute", DayMonth: "day_month", Relative: "relative",
		Weekday: "weekday", 0: "unknown"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, got, want)
		}
	}
}
