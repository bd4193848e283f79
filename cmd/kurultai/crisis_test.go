package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/api"
	"github.com/kurultai/kurultai/internal/auth"
	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
	"github.com/kurultai/kurultai/internal/sqlite"
)

// crisisServer serves the real API over a real store with four users
// (password "pw-<name>"), in process.
func crisisServer(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kurultai.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ch := charter.Default()
	if err := seed.System(ctx, st, ch.DirectoryParticipants(), "SEC", time.Now); err != nil {
		t.Fatal(err)
	}
	if err := seedCrisis(ctx, st, "SEC", func() time.Time { return time.Now().Add(time.Second) }); err != nil {
		t.Fatal(err)
	}
	for _, u := range []kurultai.User{
		{Username: "sec-officer", Participant: "SEC", Role: kurultai.RoleSecretariat},
		{Username: "kz-liaison", Participant: "KZ", Role: kurultai.RoleLiaison},
		{Username: "hu-liaison", Participant: "HU", Role: kurultai.RoleLiaison},
		{Username: "tr-chair", Participant: "TR", Role: kurultai.RoleChair},
	} {
		if u.PasswordHash, err = auth.HashPassword("pw-" + u.Username); err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	known, err := st.Markings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := api.New(api.Config{Store: st, Markings: access.NewMarkings(known...), Auth: auth.NewAuthenticator(st, nil), Mechanism: crisis.New(ch, nil)})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv.Routes(mux)
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	return hs.URL
}

// crisisCmd runs the crisis command as a user, with the URL and the
// credentials in the environment.
func crisisCmd(t *testing.T, url, user string, args ...string) (string, string, error) {
	t.Helper()
	env := map[string]string{"KURULTAI_URL": url, "KURULTAI_USER": user, "KURULTAI_PASSWORD": "pw-" + user}
	var out, errOut bytes.Buffer
	err := runCrisis(context.Background(), args, func(k string) string { return env[k] }, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestCrisisCommand(t *testing.T) {
	url := crisisServer(t)
	out, _, err := crisisCmd(t, url, "sec-officer", "raise", "--title", "Kazakhstan unrest", "--affected", "kz", "--onset", "2022-01-02T00:00:00Z")
	if err != nil || !strings.Contains(out, "raise_alert: stored kurultai-situation--") || !strings.Contains(out, "is in mode monitoring") {
		t.Fatalf("raise: %v\n%s", err, out)
	}
	out, _, err = crisisCmd(t, url, "kz-liaison", "list", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Situations []struct{ ID, Title string }
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list.Situations) != 1 {
		t.Fatalf("list --format json: %v\n%s", err, out)
	}
	sit := list.Situations[0].ID

	out, _, err = crisisCmd(t, url, "kz-liaison", "list")
	if err != nil || !strings.Contains(out, "Kazakhstan unrest") || !strings.Contains(out, "NEXT DEADLINE") {
		t.Errorf("list: %v\n%s", err, out)
	}
	out, _, err = crisisCmd(t, url, "kz-liaison", "show", sit)
	if err != nil || !strings.Contains(out, "You act as: affected, member") || !strings.Contains(out, "request_consultation (as affected)") {
		t.Errorf("show: %v\n%s", err, out)
	}
	// Flags after the arguments, as people type them.
	out, _, err = crisisCmd(t, url, "kz-liaison", "act", sit, "request_consultation", "--json", `{"reason":"spreading"}`)
	if err != nil || !strings.Contains(out, "request_consultation: stored kurultai-consultation-request--") {
		t.Errorf("act: %v\n%s", err, out)
	}
	out, _, err = crisisCmd(t, url, "tr-chair", "notifications")
	if err != nil || !strings.Contains(out, "KZ requests consultation") {
		t.Errorf("notifications: %v\n%s", err, out)
	}
	out, _, err = crisisCmd(t, url, "tr-chair", "kpi", sit)
	if err != nil || !strings.Contains(out, "Onset to consultation opened") {
		t.Errorf("kpi: %v\n%s", err, out)
	}

	// Refusals come back as the API words them.
	_, _, err = crisisCmd(t, url, "hu-liaison", "act", sit, "break_silence", "--json", `{"silence":"x","kind":"objection","text":"no"}`)
	if err == nil || !strings.Contains(err.Error(), "403 forbidden: charter roles: break_silence is for member") {
		t.Errorf("observer objection: %v", err)
	}
	_, _, err = crisisCmd(t, url, "hu-liaison", "show", sit)
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status != 404 {
		t.Errorf("observer show: %v, want 404", err)
	}
	_, _, err = crisisCmd(t, url, "tr-chair", "act", sit, "change_mode", "--json", `{"to":7}`)
	if err == nil || !strings.Contains(err.Error(), "400 bad request: to: must be string") {
		t.Errorf("bad parameters: %v", err)
	}
	_, _, err = crisisCmd(t, url, "kz-liaison", "act", sit, "request_consultation", "--json", `{"reason":`)
	if err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("broken JSON: %v", err)
	}
	env := func(k string) string {
		return map[string]string{"KURULTAI_URL": url, "KURULTAI_USER": "kz-liaison", "KURULTAI_PASSWORD": "wrong"}[k]
	}
	err = runCrisis(context.Background(), []string{"list"}, env, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("wrong password: %v", err)
	}
}

func TestCrisisUsage(t *testing.T) {
	env := func(k string) string { return map[string]string{"KURULTAI_TOKEN": "x"}[k] }
	tests := []struct {
		args []string
		want error // errUsage, nil, or any other error (errOther)
		text string
	}{
		{nil, errUsage, "Commands:"},
		{[]string{"--help"}, nil, "break_silence"},
		{[]string{"list", "--help"}, nil, "-url"},
		{[]string{"dance"}, errUsage, "unknown command"},
		{[]string{"show"}, errUsage, "wrong number of arguments"},
		{[]string{"act", "a", "b", "c"}, errUsage, "wrong number of arguments"},
		{[]string{"list", "--format", "xml"}, errOther, "--format"},
		{[]string{"list", "--url", "ftp://x"}, errOther, "--url"},
		{[]string{"raise", "--affected", "KZ"}, errOther, "--title"},
		{[]string{"raise", "--title", "T", "--affected", "KZ", "--onset", "yesterday"}, errOther, "--onset"},
		{[]string{"act", "s", "a", "--json", "{}", "--file", "f"}, errOther, "give one"},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		err := runCrisis(context.Background(), tt.args, env, &out, &errOut)
		switch {
		case tt.want == errOther && (err == nil || errors.Is(err, errUsage)):
			t.Errorf("%q: %v, want an error", tt.args, err)
		case tt.want != errOther && !errors.Is(err, tt.want) && err != tt.want:
			t.Errorf("%q: %v, want %v", tt.args, err, tt.want)
		}
		all := out.String() + errOut.String()
		if err != nil {
			all += err.Error()
		}
		if !strings.Contains(all, tt.text) {
			t.Errorf("%q: output does not mention %q:\n%s", tt.args, tt.text, all)
		}
	}
	var out bytes.Buffer
	if err := runCrisis(context.Background(), []string{"list"}, noEnv, &out, &out); err == nil || !strings.Contains(err.Error(), "no credentials") {
		t.Errorf("no credentials: %v", err)
	}
}

var errOther = errors.New("some error")
