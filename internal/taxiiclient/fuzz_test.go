package taxiiclient

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// FuzzObjects feeds a pull whatever a foreign server might answer: the
// client returns a page or an *Error, never panics, and a pull round ends.
func FuzzObjects(f *testing.F) {
	f.Add([]byte(`{"more":true,"next":"x","objects":[{"id":"a","modified":"m"}]}`), "2026-03-01T00:00:00Z")
	f.Add([]byte(`{"objects":[1,"x",null,{}]}`), "")
	f.Add([]byte(`[]`), "not a time")
	f.Add([]byte(``), "")
	f.Fuzz(func(t *testing.T, body []byte, last string) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-TAXII-Date-Added-Last", last)
			w.Write(body)
		}))
		defer srv.Close()
		c := &Client{Collection: srv.URL + "/c/", MaxBody: 1 << 16}
		_, err := c.Objects(context.Background(), time.Time{}, "")
		var e *Error
		if err != nil && !errors.As(err, &e) {
			t.Fatalf("error %T: %v", err, err)
		}
		_, err = c.Pull(context.Background(), Cursor{}, PullOptions{MaxPages: 5}, func([]json.RawMessage) error { return nil }, func(Cursor) error { return nil })
		if err != nil && !errors.As(err, &e) {
			t.Fatalf("pull error %T: %v", err, err)
		}
	})
}
