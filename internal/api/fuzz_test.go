package api

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// FuzzActionBody feeds arbitrary action names and bodies through the
// request decoding path (the body reader, the role check, the decoder)
// and crisis.Act on a situation with a draft under silence and an
// assistance request: whatever comes in, the answer is a coded error or
// records, never a panic or an internal error.
func FuzzActionBody(f *testing.F) {
	e := newEnv(f)
	sit := e.raise()
	e.clock.Set(t0.Add(2 * time.Hour))
	e.act("chair", sit, "change_mode", map[string]string{"to": "consultation"})
	e.act("chair", sit, "ask_consent", map[string]string{})
	e.act("kz", sit, "answer_consent", map[string]string{"answer": "granted"})
	draft := e.act("sec", sit, "draft_statement", map[string]string{"title": "T", "text": "Text."}).Records[0].ID
	silence := e.act("chair", sit, "open_silence", map[string]string{"draft": draft, "urgency": "urgent"}).Records[0].ID
	request := e.act("kz", sit, "request_assistance", map[string]any{"items": []map[string]any{{"item": "tents", "quantity": 50}}}).Records[0].ID
	if err := e.srv.refresh(context.Background()); err != nil {
		f.Fatal(err)
	}
	now := e.clock.Now()
	who := []string{"chair", "sec", "kz", "uz", "hu", "admin"}
	states := map[string]*crisis.State{}
	for _, w := range who {
		st, _, err := e.srv.situationState(principals[w], sit, now)
		if err != nil && w != "hu" {
			f.Fatal(err)
		}
		states[w] = st
	}

	f.Add(uint8(0), "declare", []byte(`{"silence":"`+silence+`","outcome":"not_adopted"}`))
	f.Add(uint8(3), "break_silence", []byte(`{"silence":"`+silence+`","kind":"objection","text":"No."}`))
	f.Add(uint8(0), "extend_silence", []byte(`{"silence":"`+silence+`","expires":"2022-01-03T00:00:00Z"}`))
	f.Add(uint8(0), "convene_meeting", []byte(`{"level":"senior_officials","start":"2022-01-03T00:00:00Z","invitees":["AZ","KZ","KG","TR","UZ"],"agenda":"a"}`))
	f.Add(uint8(3), "answer_assistance", []byte(`{"request":"`+request+`","message":"pledge","items":[{"item":"tents","quantity":9}]}`))
	f.Add(uint8(2), "post_report", []byte(`{"text":"t","audience":"KZ"}`))
	f.Add(uint8(1), "draft_statement", []byte(`{"draft":"`+draft+`","title":"T","text":"x"}`))
	f.Add(uint8(2), "answer_consent", []byte(`{"answer":"granted","note":null}`))
	f.Add(uint8(0), "change_mode", []byte(`{"to":"activation"}{"to":1}`))
	f.Add(uint8(0), "change_mode", []byte(`[1,2,3]`))
	f.Add(uint8(4), "break_silence", []byte(`{"silence":7}`))
	f.Add(uint8(5), "raise_alert", []byte(`{"title":"x","onset":"not a time","affected":["KZ"]}`))
	f.Add(uint8(2), "request_assistance", []byte(`{"items":[{"item":"","quantity":-1}]}`))
	f.Add(uint8(0), "\x00", []byte("\xff\xfe"))

	f.Fuzz(func(t *testing.T, w uint8, name string, body []byte) {
		token := who[int(w)%len(who)]
		p := principals[token]
		req := httptest.NewRequest(http.MethodPost, "/api/v1/situations/x/actions/y", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		a, err := e.srv.prepare(rec, req, p, sit, name)
		if err == nil {
			res, aerr := e.srv.m.Act(states[token], p, a, now)
			if aerr == nil && len(res.Objects) == 0 {
				t.Fatalf("%s by %s accepted without records", name, token)
			}
			err = aerr
		}
		if err != nil && httpStatus(err) >= 500 {
			t.Fatalf("%s by %s with %q: %d %v", name, token, body, httpStatus(err), err)
		}
		if err != nil && kurultai.ErrorMessage(err) == "" {
			t.Fatalf("an error without a message: %v", err)
		}
	})
}
