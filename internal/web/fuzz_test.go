package web

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// FuzzFormAction feeds arbitrary form bodies to every action's form
// reader: it returns an action or a *kurultai.Error naming the problem,
// and never panics.
func FuzzFormAction(f *testing.F) {
	f.Add("break_silence", "silence=kurultai-silence--x&kind=objection&text=no")
	f.Add("convene_meeting", "level=foreign_ministers&start=2026-03-02T10:00&invitees=KZ&invitees=UZ&agenda=a")
	f.Add("request_assistance", "item.0=tents&quantity.0=12&unit.0=pcs&item.1=x&quantity.1=-1")
	f.Add("raise_alert", "title=t&onset=2026-13-40T99:99&affected=KZ")
	f.Add("record_meeting", "meeting=m&held=on&present=KZ")
	f.Fuzz(func(t *testing.T, name, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		if !charter.Action(name).Valid() {
			name = string(charter.Actions[len(body)%len(charter.Actions)])
		}
		a, err := formAction(name, form, time.UTC)
		if err != nil {
			if kurultai.ErrorCode(err) == kurultai.CodeInternal {
				t.Fatalf("%s %q: internal error %v", name, body, err)
			}
			return
		}
		if string(a.Name()) != name {
			t.Fatalf("formAction(%s) = %s", name, a.Name())
		}
	})
}

// FuzzLocalPath checks that whatever comes after sign-in stays on this
// site.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/", "//evil", "/\\evil", "https://x", "/a?b=c", "/%2f%2fevil", "\n/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := localPath(in)
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.HasPrefix(got, "/\\") || strings.ContainsAny(got, "\r\n") {
			t.Fatalf("localPath(%q) = %q", in, got)
		}
		u, err := url.Parse(got)
		if err != nil || u.Host != "" || u.Scheme != "" {
			t.Fatalf("localPath(%q) = %q leaves the site", in, got)
		}
	})
}
