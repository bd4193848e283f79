package sources

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

func encode(t testing.TB, s, name string) []byte {
	t.Helper()
	if name == UTF8 {
		return []byte(s)
	}
	var cm *charmap.Charmap
	switch name {
	case Windows1251:
		cm = charmap.Windows1251
	case KOI8R:
		cm = charmap.KOI8R
	case Windows1256:
		cm = charmap.Windows1256
	case Windows1254:
		cm = charmap.Windows1254
	}
	b, err := cm.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const (
	ruText = "В Алматы продолжаются беспорядки, сообщает агентство. Протестующие захватили здание акимата, полиция применила слезоточивый газ."
	arText = "أعلنت الحكومة حالة الطوارئ في البلاد بعد احتجاجات واسعة على ارتفاع أسعار الغاز في مدينة جاناوزين."
	trText = "Kazakistan'da hükümet istifa etti; ülke genelinde olağanüstü hal ilan edildi, göstericiler şehir meydanında toplandı."
)

func TestDetectCharset(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        []byte
		want        string
		from        string
	}{
		{"utf-8 undeclared", "", []byte(ruText), UTF8, "heuristic"},
		{"ascii", "text/html", []byte("plain"), UTF8, "ascii"},
		{"bom", "", append([]byte("\xEF\xBB\xBF"), ruText...), UTF8, "bom"},
		{"header", "text/xml; charset=windows-1251", encode(t, ruText, Windows1251), Windows1251, "header"},
		{"header quoted", `text/html; charset="KOI8-R"`, encode(t, ruText, KOI8R), KOI8R, "header"},
		{"xml prolog", "", append([]byte(`<?xml version="1.0" encoding="windows-1256"?><rss>`), encode(t, arText, Windows1256)...), Windows1256, "xml"},
		{"html meta", "text/html", append([]byte(`<html><head><meta charset="windows-1254"></head><p>`), encode(t, trText, Windows1254)...), Windows1254, "meta"},
		{"http-equiv", "", append([]byte(`<meta http-equiv="Content-Type" content="text/html; charset=cp1251">`), encode(t, ruText, Windows1251)...), Windows1251, "meta"},
		{"guess windows-1251", "", encode(t, ruText, Windows1251), Windows1251, "heuristic"},
		{"guess koi8-r", "", encode(t, ruText, KOI8R), KOI8R, "heuristic"},
		{"guess windows-1256", "", encode(t, arText, Windows1256), Windows1256, "heuristic"},
		{"guess windows-1254", "", encode(t, trText, Windows1254), Windows1254, "heuristic"},
		{"declared utf-8 but windows-1251", "text/html; charset=utf-8", encode(t, ruText, Windows1251), Windows1251, "heuristic"},
		{"declared windows-1251 but utf-8", "text/html; charset=windows-1251", []byte(ruText), UTF8, "heuristic"},
		{"declared koi8-r but windows-1251 bytes", "", append([]byte(`<meta charset="bogus-42">`), encode(t, ruText, Windows1251)...), Windows1251, "heuristic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := DetectCharset(tt.contentType, tt.body)
			if cs.Name != tt.want || cs.From != tt.from {
				t.Errorf("got %s from %s, want %s from %s", cs.Name, cs.From, tt.want, tt.from)
			}
		})
	}
}

func TestDecodeRoundTrip(t *testing.T) {
	for _, c := range []struct{ text, cs string }{{ruText, Windows1251}, {ruText, KOI8R}, {arText, Windows1256}, {trText, Windows1254}} {
		got, cs, err := Decode("", encode(t, c.text, c.cs))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != c.text {
			t.Errorf("%s (read as %s): got %q", c.cs, cs.Name, got)
		}
	}
	// Invalid UTF-8 declared as UTF-8 and not single-byte text either still
	// decodes to valid UTF-8.
	got, _, err := Decode("text/plain; charset=utf-8", []byte("ok \xff\xfe\xfd"))
	if err != nil || !strings.HasPrefix(string(got), "ok ") {
		t.Errorf("got %q, %v", got, err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add("", []byte(ruText))
	f.Add("text/html; charset=koi8-r", []byte("<meta charset=x>\xc1\xc2"))
	f.Add("", []byte(`<?xml encoding="windows-1256"?>`+"\xc7\xe1"))
	f.Add(`charset="`, []byte("\xff\xfe\x00"))
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		b, cs, err := Decode(ct, body)
		if err != nil {
			return
		}
		if cs.Name == "" {
			t.Fatal("no charset")
		}
		if cs.Name != "utf-16" && !utf8.Valid(b) {
			t.Fatalf("not UTF-8 after decoding as %s", cs.Name)
		}
	})
}
