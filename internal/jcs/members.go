package jcs

// Member is one member of a JSON object, located in the object's text so
// that a caller can splice it without re-encoding the rest.
type Member struct {
	Name  []byte // unescaped; aliases the text when the name has no escapes
	Start int    // offset of the name's opening quote
	Value int    // offset of the value
	End   int    // offset just after the value
}

// Members calls fn for each member of the JSON object in text (white space
// around it allowed) in order, and returns the offset of the object's
// closing brace. It checks the syntax of the whole text (strings' UTF-8
// and escapes included) but not, below the top level, duplicate names or
// number ranges: Canonicalize does. An error from fn stops the walk and is
// returned as it is.
func Members(text []byte, fn func(Member) error) (closing int, err error) {
	i := skipSpace(text, 0)
	if i >= len(text) || text[i] != '{' {
		return 0, errAt(i, ErrSyntax, "expected a JSON object")
	}
	i = skipSpace(text, i+1)
	if i < len(text) && text[i] == '}' {
		closing = i
	} else {
		for {
			if i >= len(text) || text[i] != '"' {
				return 0, errAt(i, ErrSyntax, "expected a member name")
			}
			kend, escaped, err := scanString(text, i)
			if err != nil {
				return 0, err
			}
			m := Member{Name: text[i+1 : kend-1], Start: i}
			if escaped {
				m.Name = appendDecoded(nil, text[i:kend])
			}
			i = skipSpace(text, kend)
			if i >= len(text) || text[i] != ':' {
				return 0, errAt(i, ErrSyntax, "expected ':' after a member name")
			}
			m.Value = skipSpace(text, i+1)
			if m.End, err = skipValue(text, m.Value, 2); err != nil {
				return 0, err
			}
			if err := fn(m); err != nil {
				return 0, err
			}
			i = skipSpace(text, m.End)
			if i < len(text) && text[i] == ',' {
				i = skipSpace(text, i+1)
				continue
			}
			if i < len(text) && text[i] == '}' {
				closing = i
				break
			}
			return 0, errAt(i, ErrSyntax, "expected ',' or '}' after a member")
		}
	}
	if j := skipSpace(text, closing+1); j != len(text) {
		return 0, errAt(j, ErrSyntax, "data after the object")
	}
	return closing, nil
}

// String returns the value of the JSON string token tok, unescaped. It
// refuses anything that is not exactly one string (no white space around).
func String(tok []byte) (string, error) {
	if len(tok) == 0 || tok[0] != '"' {
		return "", errAt(0, ErrSyntax, "expected a string")
	}
	end, escaped, err := scanString(tok, 0)
	if err != nil {
		return "", err
	}
	if end != len(tok) {
		return "", errAt(end, ErrSyntax, "data after the string")
	}
	if !escaped {
		return string(tok[1 : end-1]), nil
	}
	return string(appendDecoded(nil, tok)), nil
}

// skipValue checks the syntax of the value at text[i] and returns the
// index after it.
func skipValue(text []byte, i, depth int) (int, error) {
	if i >= len(text) {
		return i, errAt(i, ErrSyntax, "unexpected end of input")
	}
	switch c := text[i]; {
	case c == '{' || c == '[':
		if depth > maxDepth {
			return i, errAt(i, ErrDepth, "")
		}
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		i = skipSpace(text, i+1)
		if i < len(text) && text[i] == closer {
			return i + 1, nil
		}
		for {
			if c == '{' {
				if i >= len(text) || text[i] != '"' {
					return i, errAt(i, ErrSyntax, "expected a member name")
				}
				end, _, err := scanString(text, i)
				if err != nil {
					return end, err
				}
				i = skipSpace(text, end)
				if i >= len(text) || text[i] != ':' {
					return i, errAt(i, ErrSyntax, "expected ':' after a member name")
				}
				i = skipSpace(text, i+1)
			}
			var err error
			if i, err = skipValue(text, i, depth+1); err != nil {
				return i, err
			}
			i = skipSpace(text, i)
			if i < len(text) && text[i] == ',' {
				i = skipSpace(text, i+1)
				continue
			}
			if i < len(text) && text[i] == closer {
				return i + 1, nil
			}
			return i, errAt(i, ErrSyntax, "expected ',' or "+quoteByte(closer))
		}
	case c == '"':
		end, _, err := scanString(text, i)
		return end, err
	case c == '-' || (c >= '0' && c <= '9'):
		end, _, err := scanNumber(text, i)
		return end, err
	case c == 't':
		return literal(text, i, "true")
	case c == 'f':
		return literal(text, i, "false")
	case c == 'n':
		return literal(text, i, "null")
	}
	return i, errAt(i, ErrSyntax, "unexpected "+quoteByte(text[i]))
}
