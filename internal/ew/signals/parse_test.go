package signals

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/kurultai/kurultai/internal/ew"
)

func TestParseExpr(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"протест* NEAR/5 (газ* OR цен*)", "(протест* NEAR/5 (газ* OR цен*))"},
		{`"комендантск* час*" OR ЧП`, `("комендантск* час*" OR чп)`},
		{"a AND NOT b OR c", "((a AND NOT b) OR c)"},
		{"пресс-служб*", `"пресс служб*"`},
		{"~протестовали", "~протестова"},
		{"İSTANBUL*", "istanbul*"},
	}
	for _, tt := range tests {
		l := ew.Russian
		if strings.HasPrefix(tt.src, "İ") {
			l = ew.Turkish
		}
		e, err := ParseExpr(tt.src, l)
		if err != nil {
			t.Errorf("ParseExpr(%q): %v", tt.src, err)
			continue
		}
		if got := e.String(); got != tt.want {
			t.Errorf("ParseExpr(%q) = %s, want %s", tt.src, got, tt.want)
		}
	}
}

func TestParseRulesErrors(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"protest 1: a b", "x.rules:1: unexpected \"b\""},
		{"\n\nprotest 1: (a OR b", "x.rules:3: missing )"},
		{"parade 1: a", "x.rules:1: unknown event type \"parade\""},
		{"protest/180 1: a", "x.rules:1: CAMEO code \"180\" does not belong to protest"},
		{"protest x: a", "x.rules:1: weight \"x\""},
		{"protest 1: NOT a", "x.rules:1: expression \"NOT a\" matches only by absence"},
		{"protest 1: a NEAR/0 b", "x.rules:1: \"NEAR/0\": distance must be 1..50"},
		{"protest 1: a NEAR/3 NOT b", "x.rules:1: unexpected \"NOT\""},
		{"protest 1: ~word", "x.rules:1: ~word: no stemmer"},
		{"protest 1: a*", "x.rules:1: prefix \"a\" is shorter than two letters"},
		{"  a OR b", "x.rules:1: continuation line without a rule"},
		{"threshold protest -1", "x.rules:1: threshold \"-1\""},
		{"protest 1 a", "x.rules:1: want \"TYPE WEIGHT: EXPRESSION\""},
		{"*!parade -1: a", "x.rules:1: unknown event type \"parade\""},
		{"protest 1: \"a b", "x.rules:1: unterminated quote"},
		{"protest 1:", "x.rules:1: empty expression"},
	}
	for _, tt := range tests {
		_, err := ParseRules([]byte(tt.src), "x.rules", ew.Kazakh)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseRules(%q) error %v, want it to contain %q", tt.src, err, tt.want)
		}
	}
}

func TestParseRules(t *testing.T) {
	src := "# comment\nthreshold * 2\nthreshold riot 1.5\nprotest/143 1.5: забастовк*   # strike\n\tOR бастую*\n*!meeting -1: может\n"
	rs, err := ParseRules([]byte(src), "ru.rules", ew.Russian)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs.Rules) != 2 || rs.Thresholds[ew.Riot] != 1.5 || rs.Thresholds[ew.Protest] != 2 {
		t.Fatalf("got %+v", rs)
	}
	r := rs.Rules[0]
	if r.Type != ew.Protest || r.CAMEO != "143" || r.Weight != 1.5 || r.Line != 4 || r.Expr.String() != "(забастовк* OR бастую*)" {
		t.Errorf("rule %+v", r)
	}
	if m := rs.Rules[1]; m.Type != "" || len(m.Except) != 1 || m.Except[0] != ew.Meeting {
		t.Errorf("modifier %+v", m)
	}
}

func TestLoadErrors(t *testing.T) {
	_, err := Load(fstest.MapFS{"r/xx.rules": {Data: []byte("protest 1: a")}}, "r")
	if err == nil || !strings.Contains(err.Error(), "r/xx.rules: file name is not a supported language") {
		t.Errorf("error %v", err)
	}
	_, err = Load(fstest.MapFS{"r/ru.rules": {Data: []byte("protest 1: a\nriot 1: (b")}}, "r")
	if err == nil || !strings.Contains(err.Error(), "r/ru.rules:2: missing )") {
		t.Errorf("error %v", err)
	}
}

// TestEmbeddedRulesCover checks that every language has rules for every
// event type.
func TestEmbeddedRulesCover(t *testing.T) {
	m := newMatcher(t)
	for _, l := range ew.Languages {
		c := m.langs[l]
		if c == nil {
			t.Errorf("no rules for %s", l)
			continue
		}
		have := map[ew.EventType]bool{}
		for _, r := range c.rules {
			if r.Weight > 0 {
				have[r.Type] = true
			}
		}
		for _, typ := range ew.EventTypes {
			if !have[typ] {
				t.Errorf("%s: no positive rule for %s", l, typ)
			}
		}
	}
}

func FuzzParseRules(f *testing.F) {
	for _, s := range []string{
		"protest 1: протест* NEAR/5 (газ* OR цен*)",
		"threshold * 2\n*!meeting -1: a OR \"b c\"\n\tOR d",
		"riot/145 2: ((a AND NOT b) OR ~c)",
		"protest 1: \"",
		"meeting/040 1: x NEAR/50 y NEAR/1 z",
	} {
		f.Add(s, "en")
	}
	f.Fuzz(func(t *testing.T, src, lang string) {
		rs, err := ParseRules([]byte(src), "f.rules", ew.Lang(lang))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "signals: f.rules") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		rs.Lang = ew.English
		m, err := Compile(rs)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range m.Match(src, ew.English) {
			if h.Span.Start < 0 || h.Span.End > len(src) || h.Span.Start >= h.Span.End {
				t.Fatalf("bad span %+v", h)
			}
		}
	})
}
