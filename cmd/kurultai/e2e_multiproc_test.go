package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/kurultai/kurultai/internal/auditlog"
	"github.com/kurultai/kurultai/internal/auth"
	"github.com/kurultai/kurultai/internal/config"
	clockpkg "github.com/kurultai/kurultai/internal/crisis/clock"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/natsbus/natstest"
	"github.com/kurultai/kurultai/internal/seed"
	"github.com/kurultai/kurultai/internal/trust"
)

// TestMultiProcess runs two processes of one node (the same participant,
// the same keys copied into both data directories), as two nodes of this
// test process sharing one PostgreSQL schema and one NATS server, and
// checks that a client sees one node whichever process answers.
func TestMultiProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two nodes on PostgreSQL and NATS; skipped with -short")
	}
	database := pgSchema(t)
	cluster := natstest.Start(t, 1)
	dirA := t.TempDir()
	if _, _, err := trust.Init(dirA, time.Now(), nil); err != nil {
		t.Fatal(err)
	}
	dirB := copyDir(t, dirA) // DATA/keys: one node, one key
	// Both start at once: migrations, seeding and the node identity race.
	var a, b *node
	var wg sync.WaitGroup
	wg.Go(func() { a = startProcess(t, "A", dirA, database, cluster.URLs()) })
	wg.Go(func() { b = startProcess(t, "B", dirB, database, cluster.URLs()) })
	wg.Wait()
	if a == nil || b == nil {
		t.FailNow()
	}
	ctx := context.Background()
	pass := map[string]string{}
	for _, u := range []kurultai.User{
		{Username: "kz-liaison", Participant: "KZ", Role: kurultai.RoleLiaison},
		{Username: "uz-liaison", Participant: "UZ", Role: kurultai.RoleLiaison},
		{Username: "tr-chair", Participant: "TR", Role: kurultai.RoleChair},
		{Username: "sec-officer", Participant: "SEC", Role: kurultai.RoleSecretariat},
	} {
		pass[u.Username] = "pw-" + u.Username + "-0123456789"
		hash, err := auth.HashPassword(pass[u.Username])
		if err != nil {
			t.Fatal(err)
		}
		u.PasswordHash, u.Created = hash, time.Now()
		if _, err := a.store.CreateUser(ctx, u); err != nil { // through A; B reads the same directory
			t.Fatal(err)
		}
	}
	user := func(n *node, name string) *apiUser {
		return &apiUser{t: t, base: n.URL(), name: name, pass: pass[name]}
	}
	taxii := func(n *node, name string) *taxiiClient {
		return &taxiiClient{t: t, base: n.URL(), user: name, pass: pass[name]}
	}

	// Every live notification, counted by id, from the NATS server itself.
	notes := watchNotes(t, cluster.URLs())

	// 1. A TAXII object added through A is readable from B at once, the same.
	id, raw := indicator("multiproc", "2022-01-03T10:00:00.000Z", seed.AudienceMarkingID(kurultai.AudienceMembers))
	code, _, body := taxii(a, "kz-liaison").do(http.MethodPost, collPath+"/objects/", []byte(`{"objects":[`+raw+`]}`))
	wantStored(t, code, body)
	_, _, fromA := taxii(a, "uz-liaison").do(http.MethodGet, collPath+"/objects/"+id+"/", nil)
	codeB, _, fromB := taxii(b, "uz-liaison").do(http.MethodGet, collPath+"/objects/"+id+"/", nil)
	if codeB != http.StatusOK || string(fromA) != string(fromB) {
		t.Fatalf("B answers %d %s; A answered %s", codeB, fromB, fromA)
	}

	// 2. A situation raised through B whose onset was 6 h 2 min ago: its
	// first reminders fell due two minutes ago; exactly one process runs
	// the clock and sends them.
	onset := time.Now().UTC().Add(-6*time.Hour - 2*time.Minute).Truncate(time.Second)
	code, raised := user(b, "sec-officer").do(http.MethodPost, "/api/v1/situations",
		map[string]any{"title": "Two processes", "onset": onset, "affected": []string{"KZ"}})
	if code != http.StatusCreated {
		t.Fatalf("raise through B = %d: %s", code, raised)
	}
	var r actView
	if err := json.Unmarshal(raised, &r); err != nil {
		t.Fatal(err)
	}
	sit := r.Situation
	reminder := "remind/" + sit + "/situation_report#1/50%/KZ"
	notes.wait(t, reminder)
	if a.crisisClock.Leading() == b.crisisClock.Leading() {
		t.Errorf("clock leaders: A %v, B %v; want exactly one", a.crisisClock.Leading(), b.crisisClock.Leading())
	}

	// 3. KZ's page on B streams a write made through A.
	events := openEvents(t, b.URL(), "kz-liaison", pass["kz-liaison"])
	kzA := user(a, "kz-liaison")
	consult := kzA.act(sit, "request_consultation", map[string]string{"reason": "Unrest"}).Records[0].ID
	events.wait(t, `"id":"`+consult+`"`)
	var stA, stB json.RawMessage
	kzA.get("/api/v1/situations/"+sit, &stA)
	user(b, "kz-liaison").get("/api/v1/situations/"+sit, &stB)
	if !strings.Contains(string(stB), consult) || !sameState(stA, stB) {
		t.Fatalf("B's state after A's action differs:\nA %s\nB %s", stA, stB)
	}

	// 4. Conflicting actions sent at once to A and B: exactly one wins.
	chairA, chairB := user(a, "tr-chair"), user(b, "tr-chair")
	chairA.act(sit, "ask_consent", map[string]string{})
	user(b, "kz-liaison").act(sit, "answer_consent", map[string]string{"answer": "granted"})
	chairB.act(sit, "change_mode", map[string]string{"to": "consultation"})
	draft := user(a, "sec-officer").act(sit, "draft_statement", map[string]string{"title": "Statement", "text": "Concern."}).Records[0].ID
	wins := race(t, chairA, chairB, sit, "open_silence", map[string]any{"draft": draft, "urgency": "normal"})
	if len(wins) != 1 {
		t.Fatalf("open_silence on one draft through A and B at once: %d accepted, want 1", len(wins))
	}
	silence := wins[0].Records[0].ID
	wins = race(t, user(a, "uz-liaison"), user(b, "uz-liaison"), sit, "break_silence",
		map[string]string{"silence": silence, "kind": "objection", "text": "No."})
	if len(wins) != 1 {
		t.Fatalf("UZ's break_silence through A and B at once: %d accepted, want 1", len(wins))
	}
	var st e2eState
	user(b, "tr-chair").get("/api/v1/situations/"+sit, &st)
	if len(st.Silences) != 1 || len(st.Silences[0].Breaks) != 1 {
		t.Fatalf("after the races: %+v", st.Silences)
	}

	// 5. Each notification was sent once, whichever process made it.
	notes.wait(t, "") // the actions' own notifications have arrived too
	for id, n := range notes.counts() {
		if n != 1 {
			t.Errorf("notification %s arrived %d times", id, n)
		}
	}

	// 6. Both processes checkpoint the one audit log with the one key;
	// it verifies.
	var cps sync.WaitGroup
	for _, n := range []*node{a, b} {
		cps.Go(func() {
			if _, _, err := n.checkpoints.Publish(ctx); err != nil {
				t.Errorf("checkpoint: %v", err)
			}
		})
	}
	cps.Wait()
	keys, err := trust.Load(dirB)
	if err != nil {
		t.Fatal(err)
	}
	opts := auditlog.VerifyOptions{Origin: auditlog.Origin("SEC")}
	for _, k := range keys.Keys() {
		opts.Keys = append(opts.Keys, k.Key)
	}
	if rep, err := auditlog.VerifyLog(ctx, a.store, opts); err != nil || !rep.OK() || rep.Checkpoints == 0 {
		t.Errorf("audit verify: %v, %+v", err, rep)
	}

	// 7. A web session made by signing in on A works on B, forms
	// included; a sign-out on A ends it on B.
	checkWebSessionShared(t, a, b, "kz-liaison", pass["kz-liaison"])
}

// startProcess starts one process of the node SEC on the shared database
// and NATS, with its own data directory and port. It returns nil (and
// marks the test failed) when the node does not start.
func startProcess(t *testing.T, name, dir, database string, natsURLs []string) *node {
	cfg := config.Default()
	cfg.DataDir, cfg.Listen, cfg.Database, cfg.NATS = dir, "127.0.0.1:0", database, strings.Join(natsURLs, ",")
	if err := cfg.Validate(); err != nil {
		t.Error(err)
		return nil
	}
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo})).With("process", name)
	n, err := startNode(context.Background(), cfg, log, time.Now)
	if err != nil {
		t.Errorf("start %s: %v\n%s", name, err, logs.String())
		return nil
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := n.shutdown(sctx); err != nil {
			t.Errorf("shutdown %s: %v", name, err)
		}
		if t.Failed() {
			t.Logf("process %s log:\n%s", name, logs.String())
		}
	})
	return n
}

// actView is an action's answer.
type actView struct {
	Situation string
	Records   []struct{ ID string }
}

// race sends one action through two processes at once and returns the
// accepted answers; every other answer must be 409.
func race(t *testing.T, x, y *apiUser, sit, action string, params any) []e2eAct {
	t.Helper()
	type answer struct {
		code int
		body []byte
	}
	answers := make([]answer, 2)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, u := range []*apiUser{x, y} {
		wg.Go(func() {
			<-start
			answers[i].code, answers[i].body = u.do(http.MethodPost, "/api/v1/situations/"+sit+"/actions/"+action, params)
		})
	}
	close(start)
	wg.Wait()
	var wins []e2eAct
	for _, a := range answers {
		switch a.code {
		case http.StatusCreated:
			var r e2eAct
			if err := json.Unmarshal(a.body, &r); err != nil {
				t.Fatal(err)
			}
			wins = append(wins, r)
		case http.StatusConflict:
		default:
			t.Errorf("%s = %d: %s", action, a.code, a.body)
		}
	}
	return wins
}

// sameState compares two situation states without the times at which
// they were derived.
func sameState(x, y json.RawMessage) bool {
	var mx, my map[string]any
	if json.Unmarshal(x, &mx) != nil || json.Unmarshal(y, &my) != nil {
		return false
	}
	for _, m := range []map[string]any{mx, my} {
		delete(m, "now")
		delete(m, "as_of")
		delete(m, "next")
	}
	bx, _ := json.Marshal(mx)
	by, _ := json.Marshal(my)
	return string(bx) == string(by)
}

// noteWatch counts the live notifications on the NATS server by id.
type noteWatch struct {
	mu  sync.Mutex
	ids map[string]int
	nc  *nats.Conn
}

func watchNotes(t *testing.T, urls []string) *noteWatch {
	t.Helper()
	nc, err := nats.Connect(strings.Join(urls, ","))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	w := &noteWatch{ids: map[string]int{}, nc: nc}
	_, err = nc.Subscribe("notify.>", func(m *nats.Msg) {
		var msg clockpkg.Message
		if json.Unmarshal(m.Data, &msg) != nil {
			return
		}
		w.mu.Lock()
		w.ids[msg.ID]++
		w.mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	return w
}

// wait polls until the notification id has arrived; with "" it waits
// until a marker sent after every message so far arrives, so that the
// counts include them.
func (w *noteWatch) wait(t *testing.T, id string) {
	t.Helper()
	if id == "" {
		id = "marker-" + time.Now().Format(time.RFC3339Nano)
		data, _ := json.Marshal(clockpkg.Message{ID: id})
		if err := w.nc.Publish("notify.ZZ", data); err != nil {
			t.Fatal(err)
		}
		defer func() {
			w.mu.Lock()
			delete(w.ids, id)
			w.mu.Unlock()
		}()
	}
	pollUntil(t, "notification "+id, func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.ids[id] > 0
	})
}

func (w *noteWatch) counts() map[string]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[string]int, len(w.ids))
	for k, v := range w.ids {
		out[k] = v
	}
	return out
}

// pollUntil polls cond until it holds, failing the test after 20 s.
func pollUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition, not waiting a fixed time
	}
}

// eventStream is an open /events stream of the web pages.
type eventStream struct {
	mu   sync.Mutex
	text strings.Builder
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// openEvents signs in to the web pages of base as user and opens the live
// updates, read until the test ends.
func openEvents(t *testing.T, base, user, password string) *eventStream {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfInput.FindSubmatch(page)
	if m == nil {
		t.Fatalf("GET /login = %d: no csrf field", resp.StatusCode)
	}
	resp, err = client.PostForm(base+"/login", url.Values{"username": {user}, "password": {password}, "csrf": {string(m[1])}, "next": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound {
		t.Fatalf("sign-in on %s = %d", base, resp.StatusCode)
	}
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err = client.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		cancel()
		t.Fatalf("GET /events = %d", resp.StatusCode)
	}
	s := &eventStream{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			s.mu.Lock()
			s.text.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
		}
	}()
	t.Cleanup(func() { cancel(); resp.Body.Close(); <-done })
	return s
}

// wait polls until the stream has sent an object event containing part.
func (s *eventStream) wait(t *testing.T, part string) {
	t.Helper()
	pollUntil(t, "a live update with "+part, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		for ev := range strings.SplitSeq(s.text.String(), "\n\n") {
			if strings.Contains(ev, "event: object") && strings.Contains(ev, part) {
				return true
			}
		}
		return false
	})
}
