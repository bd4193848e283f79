package taxiiclient

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"time"
)

// Cursor is where a pull resumes. Its zero value starts from the
// beginning of the collection. It is plain JSON, for storing.
type Cursor struct {
	// AddedAfter is the largest date added taken so far.
	AddedAfter time.Time `json:"added_after,omitzero"`
	// Seen lists the objects ("id@version") taken from pages that ended
	// on AddedAfter: a server that reads added_after as inclusive sends
	// them again, and they are skipped.
	Seen []string `json:"seen,omitempty"`
	// Next is the token of a listing a pull stopped in the middle of.
	Next string `json:"next,omitempty"`
	// listingAfter is the added_after the listing of Next started from.
	ListingAfter time.Time `json:"listing_after,omitzero"`
}

// PullOptions bounds one round of a pull.
type PullOptions struct {
	MaxPages int // default 1000
}

// Pull takes the objects added since cur, calling take with each page's
// objects that the cursor has not seen, in the server's order, and saving
// with the cursor after each page (so that a failure later resumes after
// it). take and save returning an error end the round with that error.
// Pull returns the cursor after the round.
func (c *Client) Pull(ctx context.Context, cur Cursor, o PullOptions, take func([]json.RawMessage) error, save func(Cursor) error) (Cursor, error) {
	if o.MaxPages <= 0 {
		o.MaxPages = 1000
	}
	seen := make(map[string]bool, len(cur.Seen))
	for _, s := range cur.Seen {
		seen[s] = true
	}
	after := cur.AddedAfter
	next := cur.Next
	if next != "" {
		after = cur.ListingAfter
	}
	for range o.MaxPages {
		p, err := c.Objects(ctx, after, next)
		if err != nil && next != "" && IsStatus(err, http.StatusBadRequest, http.StatusNotFound) {
			// The server forgot the listing: start again from the
			// timestamp; the seen objects keep it from repeating itself.
			next, after = "", cur.AddedAfter
			p, err = c.Objects(ctx, after, "")
		}
		if err != nil {
			return cur, err
		}
		var fresh []json.RawMessage
		var keys []string
		for _, raw := range p.Objects {
			k := objectKey(raw)
			keys = append(keys, k)
			if k != "" && seen[k] {
				continue
			}
			fresh = append(fresh, raw)
		}
		if len(fresh) > 0 {
			if err := take(fresh); err != nil {
				return cur, err
			}
		}
		// Advance the cursor over this page.
		switch last := p.DateAddedLast; {
		case last.IsZero():
			// No timestamps from this server: the seen set alone
			// remembers what was taken.
			cur.Seen = appendSeen(cur.Seen, keys)
		case last.After(cur.AddedAfter):
			cur.AddedAfter, cur.Seen = last, appendSeen(nil, keys)
		case last.Equal(cur.AddedAfter):
			cur.Seen = appendSeen(cur.Seen, keys)
		}
		for _, k := range keys {
			seen[k] = true
		}
		more := p.More && p.Next != "" && p.Next != next
		if p.More && p.Next == "" && len(fresh) > 0 && !p.DateAddedLast.IsZero() {
			// More without a token: ask again from the new timestamp.
			after, more = cur.AddedAfter, true
		}
		if more && p.Next != "" {
			cur.Next, cur.ListingAfter = p.Next, after
			next = p.Next
		} else {
			cur.Next, cur.ListingAfter, next = "", time.Time{}, ""
		}
		if err := save(cur); err != nil {
			return cur, err
		}
		if !more {
			return cur, nil
		}
	}
	return cur, nil
}

// appendSeen adds keys to a seen list, keeping the last maxSeen.
func appendSeen(list, keys []string) []string {
	for _, k := range keys {
		if k != "" && !slices.Contains(list, k) {
			list = append(list, k)
		}
	}
	if len(list) > maxSeen {
		list = list[len(list)-maxSeen:]
	}
	return list
}

// objectKey is "id@version" of an object: its modified, else created,
// timestamp; "" when it has no id.
func objectKey(raw json.RawMessage) string {
	var o struct {
		ID       string `json:"id"`
		Modified string `json:"modified"`
		Created  string `json:"created"`
	}
	if json.Unmarshal(raw, &o) != nil || o.ID == "" {
		return ""
	}
	v := o.Modified
	if v == "" {
		v = o.Created
	}
	return o.ID + "@" + v
}
