package sources

import (
	"strings"
	"testing"

	"github.com/kurultai/kurultai/internal/ew"
)

const rssFeed = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Steppe Wire</title><language>en</language>
<item><title>Protests in Zhanaozen</title><link>https://steppe-wire.example/1</link>
<description>&lt;p&gt;Hundreds of people gathered on the main square of Zhanaozen on 2 January.&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;</description>
<pubDate>Mon, 03 Jan 2022 08:30:00 +0000</pubDate></item>
<item><title>No link</title><description></description></item>
</channel></rss>`

const atomFeed = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="kk"><title>Дала жаршысы</title>
<entry><title>Алматыда тәртіпсіздік</title><link href="https://dala.example/kk/1"/>
<updated>2022-01-05T10:00:00Z</updated><content type="html">&lt;p&gt;Алматыда 5 қаңтарда тәртіпсіздік басталды.&lt;/p&gt;</content></entry>
</feed>`

const jsonFeed = `{"version":"https://jsonfeed.org/version/1.1","title":"Desk","language":"ru",
"items":[{"id":"1","url":"https://desk.example/1","title":"Отставка","content_text":"Правительство ушло в отставку.","date_published":"2022-01-05T09:00:00Z"}]}`

func TestParseFeed(t *testing.T) {
	tests := []struct {
		name, body, source string
		want               []ew.Article
	}{
		{"rss", rssFeed, "Steppe Wire", []ew.Article{{URL: "https://steppe-wire.example/1", Source: "Steppe Wire",
			Title: "Protests in Zhanaozen", Text: "Hundreds of people gathered on the main square of Zhanaozen on 2 January.", Lang: ew.English}}},
		{"atom, source from the feed", atomFeed, "", []ew.Article{{URL: "https://dala.example/kk/1", Source: "Дала жаршысы",
			Title: "Алматыда тәртіпсіздік", Text: "Алматыда 5 қаңтарда тәртіпсіздік басталды.", Lang: ew.Kazakh}}},
		{"json feed", jsonFeed, "Desk", []ew.Article{{URL: "https://desk.example/1", Source: "Desk",
			Title: "Отставка", Text: "Правительство ушло в отставку.", Lang: ew.Russian}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFeed([]byte(tt.body), tt.source)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d items, want %d: %+v", len(got), len(tt.want), got)
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				if g.Published.IsZero() {
					t.Errorf("item %d: no publication time", i)
				}
				g.Published = w.Published
				if g != w {
					t.Errorf("item %d:\n got %+v\nwant %+v", i, g, w)
				}
			}
		})
	}
}

func TestParseFeedHostile(t *testing.T) {
	deep := `<?xml version="1.0"?><rss><channel>` + strings.Repeat("<x>", 10000) + `</channel></rss>`
	tests := []struct{ name, body, want string }{
		{"not a feed", "<html><body>hello</body></html>", "not an RSS, Atom or JSON feed"},
		{"malformed", `<?xml version="1.0"?><rss><channel><item><title>x</item`, ""},
		{"deep", deep, "nested deeper than"},
		{"empty", "", "not an RSS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := ParseFeed([]byte(tt.body), "S")
			if tt.want == "" {
				// Lenient parsing may recover; it must not crash.
				t.Logf("items %d, err %v", len(items), err)
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error with %q", err, tt.want)
			}
		})
	}
}

func TestParseFeedCharset(t *testing.T) {
	body := append([]byte(`<?xml version="1.0" encoding="windows-1251"?><rss version="2.0"><channel><title>Т</title><item><link>https://x.example/1</link><description>`),
		encode(t, ruText, Windows1251)...)
	body = append(body, "</description></item></channel></rss>"...)
	utf, cs, err := Decode("", body)
	if err != nil || cs.Name != Windows1251 {
		t.Fatalf("decode: %v %v", cs, err)
	}
	items, err := ParseFeed(utf, "Т")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Text != ruText {
		t.Errorf("got %+v", items)
	}
}

func FuzzParseFeed(f *testing.F) {
	for _, s := range []string{rssFeed, atomFeed, jsonFeed, `<?xml version="1.0" encoding="koi8-r"?><rss><channel><item><title>&amp;`, `{"version":"https://jsonfeed.org/version/1","items":[{}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		items, err := ParseFeed(body, "S")
		if err != nil {
			return
		}
		if len(items) > MaxItems {
			t.Fatalf("%d items", len(items))
		}
	})
}
