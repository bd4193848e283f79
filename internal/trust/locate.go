package trust

import (
	"errors"
	"fmt"

	"github.com/kurultai/kurultai/internal/jcs"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// found is where a member is, or would go, in an object's text. Offsets
// are absolute in the text given to find.
type found struct {
	ok        bool
	m         jcs.Member // when ok
	prevEnd   int        // end of the member before it; -1 if none
	nextStart int        // start of the member after it; -1 if none
	lastEnd   int        // end of the object's last member; -1 if empty
	closing   int        // the object's closing brace
	count     int        // members in the object
}

// errRepeated marks a member found twice.
var errRepeated = errors.New("repeated member")

// find locates the member name in the object text[start:end]. A repeated
// name is an error: a reader could otherwise pick either copy.
func find(text []byte, start, end int, name string) (found, error) {
	f := found{prevEnd: -1, nextStart: -1, lastEnd: -1}
	closing, err := jcs.Members(text[start:end], func(m jcs.Member) error {
		m.Start, m.Value, m.End = m.Start+start, m.Value+start, m.End+start
		switch {
		case string(m.Name) == name && f.ok:
			return errRepeated
		case string(m.Name) == name:
			f.ok, f.m, f.prevEnd = true, m, f.lastEnd
		case f.ok && f.nextStart < 0:
			f.nextStart = m.Start
		}
		f.lastEnd = m.End
		f.count++
		return nil
	})
	if err != nil {
		return f, err
	}
	f.closing = closing + start
	return f, nil
}

// removal returns the span that deleting f's member removes, with one of
// the commas around it.
func (f found) removal() (from, to int) {
	switch {
	case f.prevEnd >= 0:
		return f.prevEnd, f.m.End
	case f.nextStart >= 0:
		return f.m.Start, f.nextStart
	}
	return f.m.Start, f.m.End
}

// insertion returns where a new member goes (after the last one) and
// whether it needs a comma before it.
func (f found) insertion() (at int, comma bool) {
	if f.lastEnd >= 0 {
		return f.lastEnd, true
	}
	return f.closing, false
}

// entry is where an object's signature entry is or goes.
type entry struct {
	top, ext found // "extensions" among the object's members; the entry among extensions' (if top.ok)
}

// has reports whether the object has a signature entry.
func (e entry) has() bool { return e.top.ok && e.ext.ok }

// locate finds the signature entry of an object.
func locate(raw []byte) (entry, error) {
	var e entry
	var err error
	if e.top, err = find(raw, 0, len(raw), "extensions"); err != nil {
		return e, locateErr("", err)
	}
	if !e.top.ok {
		return e, nil
	}
	v := e.top.m
	if raw[v.Value] != '{' {
		return e, malformed("extensions", "must be an object")
	}
	if e.ext, err = find(raw, v.Value, v.End, ExtensionID); err != nil {
		return e, locateErr("extensions", err)
	}
	if e.ext.ok && raw[e.ext.m.Value] != '{' {
		return e, malformed(entryField, "must be an object")
	}
	return e, nil
}

// splice is one edit of a text: text[from:to] replaced by pre+E+post,
// where E is the signature entry's value.
type splice struct {
	from, to  int
	pre, post string
}

// entrySplice returns the edit that sets the signature entry of the object
// located by e to a value.
func (e entry) entrySplice() splice {
	member := `"` + ExtensionID + `":`
	switch {
	case e.has():
		return splice{from: e.ext.m.Value, to: e.ext.m.End}
	case e.top.ok:
		at, comma := e.ext.insertion()
		if comma {
			member = "," + member
		}
		return splice{from: at, to: at, pre: member}
	}
	at, comma := e.top.insertion()
	pre := `"extensions":{` + member
	if comma {
		pre = "," + pre
	}
	return splice{from: at, to: at, pre: pre, post: "}"}
}

// apply appends text with the edit applied, the entry's value being val.
func (s splice) apply(dst, text, val []byte) []byte {
	dst = append(dst, text[:s.from]...)
	dst = append(dst, s.pre...)
	dst = append(dst, val...)
	dst = append(dst, s.post...)
	return append(dst, text[s.to:]...)
}

// origin maps an offset in the edited text back to the original text.
func (s splice) origin(off int, valLen int) int {
	inserted := len(s.pre) + valLen + len(s.post)
	switch {
	case off < s.from:
		return off
	case off < s.from+inserted:
		return s.from
	}
	return off - inserted + (s.to - s.from)
}

// entryField is the signature entry's field path in errors.
const entryField = "extensions." + ExtensionID

// malformed is an ErrMalformed error about a field.
func malformed(field, format string, args ...any) error {
	return &kurultai.Error{Code: kurultai.CodeInvalid, Field: field, Message: fmt.Sprintf(format, args...), Err: ErrMalformed}
}

// locateErr reports a syntax error or a repeated member met while locating.
func locateErr(field string, err error) error {
	if errors.Is(err, errRepeated) {
		name := "extensions"
		if field != "" {
			name = ExtensionID
		}
		return malformed(field, "%s occurs twice", name)
	}
	return &kurultai.Error{Code: kurultai.CodeInvalid, Field: field, Message: "not a valid JSON object: " + jsonMessage(err), Err: ErrMalformed}
}

// jsonMessage is a jcs error without its package prefix.
func jsonMessage(err error) string {
	var je *jcs.Error
	if errors.As(err, &je) {
		if je.Detail != "" {
			return fmt.Sprintf("%v at offset %d: %s", je.Err, je.Offset, je.Detail)
		}
		return fmt.Sprintf("%v at offset %d", je.Err, je.Offset)
	}
	return err.Error()
}
