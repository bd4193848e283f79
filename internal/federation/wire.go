package federation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// wireVersion is the version of the message format.
const wireVersion = 1

// Item operations.
const (
	opPut       = "put"       // store this version
	opTombstone = "tombstone" // remove every version up to version_key: the peer may no longer see the object
	opDelete    = "delete"    // remove exactly version_key: the originator deleted it
)

// item is one change in a message. Seq is the sender's outbox seq:
// removals and versions are ordered by it whatever order they arrive in.
type item struct {
	Seq        int64           `json:"seq"`
	Op         string          `json:"op"`
	Collection string          `json:"collection"`
	ID         string          `json:"id,omitempty"`
	VersionKey int64           `json:"version_key,omitempty"`
	Added      int64           `json:"added,omitempty"` // put: date added at the sender, Unix µs
	Object     json.RawMessage `json:"object,omitempty"`
}

// batch is one message from one node to another: a run of changes in
// outbox order. Its JetStream message id is msgID().
type batch struct {
	V     int    `json:"v"`
	From  string `json:"from"`
	To    string `json:"to"`
	Items []item `json:"items"`
}

// msgID names the batch for JetStream's deduplication: the same changes
// sent again carry the same id.
func (b *batch) msgID() string {
	if len(b.Items) == 0 {
		return b.From + "-" + b.To + "-empty"
	}
	return fmt.Sprintf("%s-%s-%d-%d", b.From, b.To, b.Items[0].Seq, b.Items[len(b.Items)-1].Seq)
}

// encode writes the batch as JSON, each object embedded byte for byte as
// stored (encoding/json would compact and re-escape it).
func (b *batch) encode() []byte {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, `{"v":%d,"from":%q,"to":%q,"items":[`, b.V, b.From, b.To)
	for i, it := range b.Items {
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, `{"seq":%d,"op":%q,"collection":%q`, it.Seq, it.Op, it.Collection)
		if it.ID != "" {
			id, _ := json.Marshal(it.ID)
			buf.WriteString(`,"id":`)
			buf.Write(id)
		}
		if it.VersionKey != 0 {
			buf.WriteString(`,"version_key":` + strconv.FormatInt(it.VersionKey, 10))
		}
		if it.Added != 0 {
			buf.WriteString(`,"added":` + strconv.FormatInt(it.Added, 10))
		}
		if len(it.Object) > 0 {
			buf.WriteString(`,"object":`)
			buf.Write(it.Object)
		}
		buf.WriteByte('}')
	}
	buf.WriteString("]}")
	return buf.Bytes()
}

// limits bound what a receiver accepts.
type limits struct {
	MaxBytes  int // a whole message
	MaxItems  int
	MaxObject int // one object's JSON
}

var (
	codePattern = regexp.MustCompile(`^[A-Z]{2,10}$`)
	uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	idPattern   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,249}--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// errTooLarge marks a message over a size limit.
var errTooLarge = errors.New("too large")

// parseBatch reads and checks a message. Errors are *kurultai.Error naming
// the field; the objects themselves are parsed and verified later.
func parseBatch(data []byte, lim limits) (*batch, error) {
	if len(data) > lim.MaxBytes {
		return nil, &kurultai.Error{Code: kurultai.CodeTooLarge, Message: fmt.Sprintf("message of %d bytes exceeds %d", len(data), lim.MaxBytes), Err: errTooLarge}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	var b batch
	if err := dec.Decode(&b); err != nil {
		return nil, kurultai.FieldError("message", "not a federation message: %s", clip(err.Error()))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, kurultai.FieldError("message", "trailing data after the message")
	}
	switch {
	case b.V != wireVersion:
		return nil, kurultai.FieldError("v", "version %d is not supported (want %d)", b.V, wireVersion)
	case !codePattern.MatchString(b.From):
		return nil, kurultai.FieldError("from", "not a participant code")
	case !codePattern.MatchString(b.To):
		return nil, kurultai.FieldError("to", "not a participant code")
	case len(b.Items) == 0:
		return nil, kurultai.FieldError("items", "empty")
	case len(b.Items) > lim.MaxItems:
		return nil, &kurultai.Error{Code: kurultai.CodeTooLarge, Field: "items", Message: fmt.Sprintf("%d items exceed %d", len(b.Items), lim.MaxItems), Err: errTooLarge}
	}
	prev := int64(0)
	for i := range b.Items {
		if err := checkItem(&b.Items[i], prev, lim); err != nil {
			var ke *kurultai.Error
			if errors.As(err, &ke) {
				e := *ke
				e.Field = fmt.Sprintf("items[%d].%s", i, e.Field)
				return nil, &e
			}
			return nil, err
		}
		prev = b.Items[i].Seq
	}
	return &b, nil
}

func checkItem(it *item, prev int64, lim limits) error {
	if it.Seq <= 0 || it.Seq < prev {
		return kurultai.FieldError("seq", "must be positive and never decrease within a message")
	}
	if !uuidPattern.MatchString(it.Collection) {
		return kurultai.FieldError("collection", "not a collection id")
	}
	switch it.Op {
	case opPut:
		switch {
		case len(it.Object) == 0 || it.Object[0] != '{':
			return kurultai.FieldError("object", "required, a JSON object")
		case len(it.Object) > lim.MaxObject:
			return &kurultai.Error{Code: kurultai.CodeTooLarge, Field: "object", Message: fmt.Sprintf("%d bytes exceed %d", len(it.Object), lim.MaxObject), Err: errTooLarge}
		case it.ID != "" || it.VersionKey != 0:
			return kurultai.FieldError("id", "a put carries its object only")
		case it.Added < 0:
			return kurultai.FieldError("added", "negative")
		}
	case opTombstone, opDelete:
		switch {
		case !idPattern.MatchString(it.ID):
			return kurultai.FieldError("id", "not a STIX id")
		case it.VersionKey < 0:
			return kurultai.FieldError("version_key", "negative")
		case len(it.Object) > 0:
			return kurultai.FieldError("object", "a removal carries no object")
		}
	default:
		return kurultai.FieldError("op", "%q is not put, tombstone or delete", clip(it.Op))
	}
	return nil
}

// clip shortens text from the wire for messages and logs.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
