package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kurultai/kurultai/internal/access"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
	"github.com/kurultai/kurultai/internal/sqlite"
	"github.com/kurultai/kurultai/internal/stix"
	"github.com/kurultai/kurultai/internal/taxiiclient"
)

// TAXIIOptions are the settings of a TAXII peer, stored as its options.
type TAXIIOptions struct {
	User        string `json:"user,omitempty"`
	PasswordEnv string `json:"password_env,omitempty"` // the environment variable holding the password
	Pull        bool   `json:"pull"`
	Push        bool   `json:"push"`
	Collection  string `json:"collection,omitempty"` // local collection pulled into and pushed from; default the intel collection
}

// Signer signs objects as this node (trust.Signer).
type Signer interface {
	Sign(raw []byte) ([]byte, error)
}

// pushBatch bounds one envelope pushed to a TAXII peer.
const pushBatch = 100

// taxiiRun pulls from and pushes to one foreign TAXII server.
type taxiiRun struct {
	f      *Federation
	peer   sqlite.Peer
	opts   TAXIIOptions
	as     kurultai.Principal
	client *taxiiclient.Client
	log    *slog.Logger
	cancel context.CancelFunc
	wg     sync.WaitGroup

	pulled, pushed, refused atomic.Int64
}

func newTAXIIRun(ctx context.Context, f *Federation, p sqlite.Peer) (*taxiiRun, error) {
	var o TAXIIOptions
	if err := json.Unmarshal([]byte(p.Options), &o); err != nil {
		return nil, fmt.Errorf("options: %w", err)
	}
	if o.Collection == "" {
		o.Collection = seed.IntelCollectionID
	}
	part, err := f.cfg.Store.Participant(ctx, p.Participant)
	if err != nil {
		return nil, fmt.Errorf("participant %s: %w", p.Participant, err)
	}
	c := &taxiiclient.Client{Collection: p.URL, User: o.User, HTTP: f.cfg.HTTPClient}
	if o.PasswordEnv != "" {
		c.Password = f.cfg.Getenv(o.PasswordEnv)
	}
	return &taxiiRun{
		f: f, peer: p, opts: o, client: c,
		as:  kurultai.Principal{Username: "peer:" + p.Name, Participant: part.Code, Kind: part.Kind, Role: kurultai.RoleLiaison},
		log: f.log.With("peer", p.Name, "kind", "taxii"),
	}, nil
}

func (r *taxiiRun) start() {
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	loop := func(what string, fn func(context.Context) error) {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			t := time.NewTicker(r.f.cfg.TAXIIInterval)
			defer t.Stop()
			for {
				if err := fn(ctx); err != nil && ctx.Err() == nil {
					r.log.Warn("federation: taxii "+what, "err", err)
				}
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		}()
	}
	if r.opts.Pull {
		loop("pull", r.pull)
	}
	if r.opts.Push {
		loop("push", r.push)
	}
}

func (r *taxiiRun) stop() {
	if r.cancel != nil {
		r.cancel()
	}
	r.wg.Wait()
}

// pull takes what the server added since the stored cursor and stores it
// as written by the peer's participant, signed by this node.
func (r *taxiiRun) pull(ctx context.Context) error {
	st := r.f.cfg.Store
	p, err := st.Peer(ctx, r.peer.Name)
	if err != nil {
		return err
	}
	var cur taxiiclient.Cursor
	if p.State != "" {
		if err := json.Unmarshal([]byte(p.State), &cur); err != nil {
			r.log.Warn("federation: taxii cursor unreadable, starting over", "err", err)
			cur = taxiiclient.Cursor{}
		}
	}
	_, err = r.client.Pull(ctx, cur, taxiiclient.PullOptions{}, func(objs []json.RawMessage) error {
		return r.take(ctx, objs)
	}, func(c taxiiclient.Cursor) error {
		b, err := json.Marshal(c)
		if err != nil {
			return err
		}
		return st.SetPeerState(ctx, r.peer.Name, string(b))
	})
	return err
}

func (r *taxiiRun) take(ctx context.Context, objs []json.RawMessage) error {
	w := kurultai.Write{Principal: r.as, Collection: r.opts.Collection, Time: r.f.cfg.Clock(),
		StatusID: "taxii-" + r.peer.Name + "-" + strconv.FormatInt(r.f.cfg.Clock().UnixNano(), 36)}
	for i, raw := range objs {
		v, err := stix.ParseObject(raw)
		if err == nil && kurultai.Predefined(v.ID) {
			err = fmt.Errorf("%s is predefined", v.ID)
		}
		if err == nil && r.f.cfg.Signer != nil {
			var signed []byte
			if signed, err = r.f.cfg.Signer.Sign(v.Raw); err == nil {
				v.Raw = signed
			}
		}
		if err != nil {
			r.refused.Add(1)
			r.log.Warn("federation: taxii object refused", "index", i, "err", err)
			continue
		}
		w.Objects = append(w.Objects, v)
	}
	if len(w.Objects) == 0 {
		return nil
	}
	st, err := r.f.cfg.Store.AddObjects(ctx, w)
	if err != nil {
		return err
	}
	for _, f := range st.Failures {
		r.refused.Add(1)
		r.log.Warn("federation: taxii object refused", "id", f.ID, "message", f.Message)
	}
	for _, v := range w.Objects {
		if v.Marking != nil && !v.DateAdded.IsZero() {
			r.f.cfg.Markings.Add(*markingOf(v))
		}
	}
	r.pulled.Add(int64(len(st.Successes)))
	return nil
}

// push sends the server what the peer's participant may see of the
// versions written here since its cursor, except those that came from it.
// Tombstones and deletes have no TAXII form and are not sent.
func (r *taxiiRun) push(ctx context.Context) error {
	st := r.f.cfg.Store
	p, err := st.Peer(ctx, r.peer.Name)
	if err != nil {
		return err
	}
	cursor := p.Cursor
	for ctx.Err() == nil {
		entries, err := st.Outbox(ctx, cursor, pushBatch)
		if err != nil || len(entries) == 0 {
			return err
		}
		var objs []json.RawMessage
		for _, e := range entries {
			v := e.Version
			if e.Op != sqlite.OutboxPut || v == nil || e.Collection != r.opts.Collection || v.Originator == r.peer.Participant ||
				kurultai.Predefined(v.ID) || !access.Decide(r.as, v, r.f.cfg.Markings) {
				continue
			}
			objs = append(objs, bytes.Clone(v.Raw))
		}
		if len(objs) > 0 {
			status, err := r.client.Add(ctx, objs)
			if err != nil {
				return err
			}
			for _, f := range status.Failures {
				r.log.Warn("federation: taxii server refused an object", "id", f.ID, "message", f.Message)
			}
			r.pushed.Add(int64(status.SuccessCount))
		}
		last := entries[len(entries)-1].Seq
		if err := st.AckPeer(ctx, r.peer.Name, sqlite.PeerAck{Cursor: last, Count: int64(len(objs))}); err != nil {
			return err
		}
		cursor = last
	}
	return nil
}
