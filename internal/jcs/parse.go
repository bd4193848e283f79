package jcs

import (
	"slices"
	"strconv"
)

// parser fills an Encoder's tree from one input.
type parser struct {
	e   *Encoder
	raw []byte
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// value parses the value at raw[i] (not white space), appends its nodes
// and returns the index after it.
func (p *parser) value(i, depth int) (int, error) {
	raw := p.raw
	if i >= len(raw) {
		return i, errAt(i, ErrSyntax, "unexpected end of input")
	}
	idx := len(p.e.nodes)
	p.e.nodes = append(p.e.nodes, node{start: int32(i)})
	var (
		end  int
		kind uint8
		err  error
	)
	switch c := raw[i]; {
	case c == '{':
		end, err = p.object(i, depth+1, idx)
		kind = kindObject
	case c == '[':
		end, err = p.array(i, depth+1)
		kind = kindArray
	case c == '"':
		var escaped bool
		end, escaped, err = scanString(raw, i)
		kind = kindString
		if escaped {
			kind = kindStringEscaped
		}
	case c == '-' || (c >= '0' && c <= '9'):
		var plainInt bool
		end, plainInt, err = scanNumber(raw, i)
		if err != nil {
			break
		}
		kind = kindInt
		if !plainInt {
			kind = kindNumber
			f, perr := strconv.ParseFloat(string(raw[i:end]), 64)
			if perr != nil {
				return i, errAt(i, ErrNumberRange, string(clip(raw[i:end])))
			}
			p.e.nodes[idx].f = f
		}
	case c == 't':
		end, err = literal(raw, i, "true")
		kind = kindLiteral
	case c == 'f':
		end, err = literal(raw, i, "false")
		kind = kindLiteral
	case c == 'n':
		end, err = literal(raw, i, "null")
		kind = kindLiteral
	default:
		return i, errAt(i, ErrSyntax, "unexpected "+quoteByte(c))
	}
	if err != nil {
		return end, err
	}
	n := &p.e.nodes[idx]
	n.kind, n.end, n.next = kind, int32(end), int32(len(p.e.nodes))
	return end, nil
}

// object parses the object at raw[i] whose node is idx.
func (p *parser) object(i, depth, idx int) (int, error) {
	if depth > maxDepth {
		return i, errAt(i, ErrDepth, "")
	}
	raw, e := p.raw, p.e
	mark := len(e.stack)
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		i++
	} else {
		for {
			if i >= len(raw) || raw[i] != '"' {
				return i, errAt(i, ErrSyntax, "expected a member name")
			}
			kend, escaped, err := scanString(raw, i)
			if err != nil {
				return kend, err
			}
			m := member{ks: int32(i + 1), ke: int32(kend - 1), tokStart: int32(i)}
			name := raw[i+1 : kend-1]
			if escaped {
				m.escaped = true
				m.ks = int32(len(e.keys))
				e.keys = appendDecoded(e.keys, raw[i:kend])
				m.ke = int32(len(e.keys))
				name = e.keys[m.ks:m.ke]
			}
			m.prefix, m.ascii = namePrefix(name)
			i = skipSpace(raw, kend)
			if i >= len(raw) || raw[i] != ':' {
				return i, errAt(i, ErrSyntax, "expected ':' after a member name")
			}
			m.val = int32(len(e.nodes))
			if i, err = p.value(skipSpace(raw, i+1), depth); err != nil {
				return i, err
			}
			e.stack = append(e.stack, m)
			i = skipSpace(raw, i)
			if i < len(raw) && raw[i] == ',' {
				i = skipSpace(raw, i+1)
				continue
			}
			if i < len(raw) && raw[i] == '}' {
				i++
				break
			}
			return i, errAt(i, ErrSyntax, "expected ',' or '}' after a member")
		}
	}
	ms := e.stack[mark:]
	if err := p.sortMembers(ms); err != nil {
		return i, err
	}
	n := &e.nodes[idx]
	n.first, n.n = int32(len(e.members)), int32(len(ms))
	e.members = append(e.members, ms...)
	e.stack = e.stack[:mark]
	return i, nil
}

// name returns a member's unescaped name.
func (p *parser) name(m member) []byte {
	if m.escaped {
		return p.e.keys[m.ks:m.ke]
	}
	return p.raw[m.ks:m.ke]
}

// namePrefix returns the first eight bytes of a name, big-endian and
// padded with zeros, and whether they are all ASCII. Two names whose ASCII
// prefixes differ sort as their prefixes do, which spares most calls to
// compareNames.
func namePrefix(name []byte) (uint64, bool) {
	var x uint64
	n := min(len(name), 8)
	for _, c := range name[:n] {
		x = x<<8 | uint64(c)
	}
	x <<= 8 * (8 - n)
	return x, x&0x8080808080808080 == 0
}

// compare orders two members by name.
func (p *parser) compare(a, b *member) int {
	if a.ascii && b.ascii && a.prefix != b.prefix {
		if a.prefix < b.prefix {
			return -1
		}
		return 1
	}
	return compareNames(p.name(*a), p.name(*b))
}

// sortMembers sorts ms by name (UTF-16 code units) and refuses a repeated
// name. Members already in order, as in canonical input, are only checked.
func (p *parser) sortMembers(ms []member) error {
	sorted := true
	for k := 1; k < len(ms); k++ {
		if p.compare(&ms[k-1], &ms[k]) >= 0 {
			sorted = false
			break
		}
	}
	if sorted {
		return nil
	}
	slices.SortFunc(ms, func(a, b member) int { return p.compare(&a, &b) })
	for k := 1; k < len(ms); k++ {
		if p.compare(&ms[k-1], &ms[k]) == 0 {
			later := max(ms[k-1].tokStart, ms[k].tokStart)
			return errAt(int(later), ErrDuplicateKey, strconv.Quote(string(clip(p.name(ms[k])))))
		}
	}
	return nil
}

// array parses the array at raw[i]; its elements follow it in the tree.
func (p *parser) array(i, depth int) (int, error) {
	if depth > maxDepth {
		return i, errAt(i, ErrDepth, "")
	}
	raw := p.raw
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == ']' {
		return i + 1, nil
	}
	for {
		var err error
		if i, err = p.value(i, depth); err != nil {
			return i, err
		}
		i = skipSpace(raw, i)
		if i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
			continue
		}
		if i < len(raw) && raw[i] == ']' {
			return i + 1, nil
		}
		return i, errAt(i, ErrSyntax, "expected ',' or ']' after an array element")
	}
}

// literal checks that raw[i:] starts with lit.
func literal(raw []byte, i int, lit string) (int, error) {
	if len(raw)-i < len(lit) || string(raw[i:i+len(lit)]) != lit {
		return i, errAt(i, ErrSyntax, "invalid literal (expected "+lit+")")
	}
	return i + len(lit), nil
}

// scanNumber checks the JSON number at raw[i] and returns its end and
// whether it is an integer of at most 15 digits, which a double holds
// exactly and ECMAScript writes as it is.
func scanNumber(raw []byte, i int) (end int, plainInt bool, err error) {
	start := i
	if raw[i] == '-' {
		i++
	}
	digits := i
	switch {
	case i < len(raw) && raw[i] == '0':
		i++
	case i < len(raw) && raw[i] >= '1' && raw[i] <= '9':
		for i < len(raw) && raw[i] >= '0' && raw[i] <= '9' {
			i++
		}
	default:
		return i, false, errAt(start, ErrSyntax, "invalid number")
	}
	plainInt = i-digits <= 15
	if i < len(raw) && raw[i] == '.' {
		plainInt = false
		i++
		if i >= len(raw) || raw[i] < '0' || raw[i] > '9' {
			return i, false, errAt(start, ErrSyntax, "invalid number: digits expected after '.'")
		}
		for i < len(raw) && raw[i] >= '0' && raw[i] <= '9' {
			i++
		}
	}
	if i < len(raw) && (raw[i] == 'e' || raw[i] == 'E') {
		plainInt = false
		i++
		if i < len(raw) && (raw[i] == '+' || raw[i] == '-') {
			i++
		}
		if i >= len(raw) || raw[i] < '0' || raw[i] > '9' {
			return i, false, errAt(start, ErrSyntax, "invalid number: digits expected in the exponent")
		}
		for i < len(raw) && raw[i] >= '0' && raw[i] <= '9' {
			i++
		}
	}
	return i, plainInt, nil
}

// quoteByte names a byte for an error message.
func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return strconv.QuoteRune(rune(c))
	}
	return "byte 0x" + strconv.FormatUint(uint64(c), 16)
}

// clip shortens text quoted in error messages.
func clip(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}
