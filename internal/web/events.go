package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/crisis/clock"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// heartbeat is how often the event stream sends a comment, so that
// proxies keep it open and an expired session is noticed.
const heartbeat = 25 * time.Second

// maxAnnounced bounds the objects of one objects.added message that are
// checked one by one; a bigger batch is announced as a count.
const maxAnnounced = 500

// liveObject is an "object" event: a stored version the user may see.
type liveObject struct {
	Collection string `json:"collection"`
	ID         string `json:"id"`
	Type       string `json:"type"`
	Situation  string `json:"situation,omitempty"`
}

// liveNote is a "notify" event: a message of the crisis clock.
type liveNote struct {
	Kind      string `json:"kind"`
	Situation string `json:"situation"`
	Text      string `json:"text"`
}

// events streams live updates as Server-Sent Events. Every object
// announced on the bus is looked up and passes access.Decide for this
// user before anything about it is sent; notifications are those
// addressed to the user's participant (and role, when narrowed).
func (s *Server) events(w http.ResponseWriter, r *http.Request, rq *request) error {
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	msgs := make(chan busMsg, 64)
	overflow := make(chan struct{}, 1)
	push := func(subject string, data []byte) {
		select {
		case msgs <- busMsg{subject, data}:
		default:
			select {
			case overflow <- struct{}{}:
			default:
			}
		}
	}
	if bus := s.cfg.Bus; bus != nil {
		unsub, err := bus.Subscribe(clock.SubjectObjectsAdded, push)
		if err != nil {
			return fmt.Errorf("web: events: %w", err)
		}
		defer unsub()
		unsub2, err := bus.Subscribe(clock.LiveSubject(rq.p.Participant), push)
		if err != nil {
			return fmt.Errorf("web: events: %w", err)
		}
		defer unsub2()
	}
	_ = rc.SetWriteDeadline(time.Time{})
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 5000\n\n")
	if err := rc.Flush(); err != nil {
		return nil
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	ctx := r.Context()
	for {
		var err error
		select {
		case <-ctx.Done():
			return nil
		case <-overflow:
			err = sse(w, "resync", map[string]string{})
		case m := <-msgs:
			err = s.forward(w, r, rq, m)
		case <-tick.C:
			if !s.sessions.alive(ctx, rq.sess.id, s.clock()) {
				_ = sse(w, "expired", map[string]string{})
				_ = rc.Flush()
				return nil
			}
			_, err = fmt.Fprint(w, ": ping\n\n")
		}
		if err == nil {
			err = rc.Flush()
		}
		if err != nil {
			return nil // the browser went away
		}
	}
}

type busMsg struct {
	subject string
	data    []byte
}

// forward sends what a bus message holds for this user.
func (s *Server) forward(w http.ResponseWriter, r *http.Request, rq *request, m busMsg) error {
	if m.subject != clock.SubjectObjectsAdded {
		var msg clock.Message
		if json.Unmarshal(m.data, &msg) != nil || msg.To != rq.p.Participant {
			return nil
		}
		if msg.Role != "" && !slices.Contains(s.m.RolesOf(rq.p, []string{rq.p.Participant}), charter.Role(msg.Role)) {
			return nil
		}
		text := msg.Text
		if rq.l.Has("note." + msg.Kind) {
			text = rq.l.T("note." + msg.Kind)
		}
		return sse(w, "notify", liveNote{Kind: msg.Kind, Situation: msg.Situation, Text: text})
	}
	var added []clock.Added
	if json.Unmarshal(m.data, &added) != nil || len(added) == 0 {
		return nil
	}
	if len(added) > maxAnnounced {
		return sse(w, "resync", map[string]string{})
	}
	byColl := map[string][]clock.Added{}
	for _, a := range added {
		byColl[a.Collection] = append(byColl[a.Collection], a)
	}
	for coll, as := range byColl {
		ids := make([]string, 0, len(as))
		want := map[[2]string]bool{}
		for _, a := range as {
			ids = append(ids, a.ID)
			want[[2]string{a.ID, a.Version}] = true
		}
		page, err := s.store.ListObjects(r.Context(), kurultai.Query{Collection: coll, IDs: ids, Versions: kurultai.VersionFilter{All: true}, Limit: 2 * maxAnnounced, WithRaw: true},
			func(v *kurultai.ObjectVersion) bool {
				return want[[2]string{v.ID, v.Version}] && access.Decide(rq.p, v, s.markings)
			})
		if err != nil {
			s.log.WarnContext(r.Context(), "web: events: look up", "err", err)
			continue
		}
		for _, v := range page.Items {
			var ref struct {
				Situation string `json:"situation_ref"`
			}
			_ = json.Unmarshal(v.Raw, &ref)
			if err := sse(w, "object", liveObject{Collection: coll, ID: v.ID, Type: v.Type, Situation: ref.Situation}); err != nil {
				return err
			}
		}
	}
	return nil
}

// sse writes one event with a JSON payload.
func sse(w http.ResponseWriter, event string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, data)
	return err
}
