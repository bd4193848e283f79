package signals

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kurultai/kurultai/internal/ew"
)

// A rule file is line-based UTF-8 text:
//
//	# a comment, to the end of the line
//	threshold protest 1.5          # score a type needs (default 1)
//	protest 1: протест* OR митинг* # TYPE WEIGHT: EXPRESSION
//	protest/141 1.5: "бессрочн* забастовк*"
//	    OR ~бастовать              # an indented line continues the rule
//	* -2: (не OR нет) NEAR/2 было* # "*" applies to every type that has evidence
//	*!meeting -1: may OR might      # ... or to every type but those listed
//
// The type is one of ew.EventTypes, optionally with a more specific CAMEO
// code of its family after a slash. Expressions combine terms with OR, AND,
// NOT and NEAR/n (both sides within n words, either order), with
// parentheses; precedence from loosest: OR, AND, NOT, NEAR. A term is a word
// (matched whole after case folding), a prefix (word*), a stem (~word: same
// Snowball stem, for languages Snowball has) or a phrase in double quotes
// of such terms in a row. Words with a hyphen are phrases (пресс-служба).

// Rule is one weighted pattern of a rule file.
type Rule struct {
	Type   ew.EventType   // empty for a modifier ("*") rule
	Except []ew.EventType // types a modifier rule leaves alone
	CAMEO  string         // the type's default code unless the rule names one
	Weight float64
	Expr   Expr
	Source string // the expression as written
	File   string
	Line   int
}

// RuleSet is one parsed rule file.
type RuleSet struct {
	Lang       ew.Lang
	Rules      []Rule
	Thresholds map[ew.EventType]float64
}

// Expr is a node of a rule expression.
type Expr interface{ String() string }

// Term matches one word.
type Term struct {
	Word string // folded
	Kind TermKind
}

// TermKind says how a term matches a word.
type TermKind int

// The kinds of terms.
const (
	Exact  TermKind = iota // the whole word
	Prefix                 // word*
	Stem                   // ~word
)

// Phrase matches terms on consecutive words.
type Phrase struct{ Terms []Term }

// Or matches when any operand does.
type Or struct{ Args []Expr }

// And matches when every operand does.
type And struct{ Args []Expr }

// Not matches when its operand does not.
type Not struct{ Arg Expr }

// Near matches where both operands match within Dist words of each other.
type Near struct {
	A, B Expr
	Dist int
}

func (t Term) String() string {
	switch t.Kind {
	case Prefix:
		return t.Word + "*"
	case Stem:
		return "~" + t.Word
	}
	return t.Word
}

func (p Phrase) String() string {
	s := make([]string, len(p.Terms))
	for i, t := range p.Terms {
		s[i] = t.String()
	}
	return `"` + strings.Join(s, " ") + `"`
}

func (o Or) String() string  { return join(o.Args, " OR ") }
func (a And) String() string { return join(a.Args, " AND ") }
func (n Not) String() string { return "NOT " + n.Arg.String() }
func (n Near) String() string {
	return "(" + n.A.String() + " NEAR/" + strconv.Itoa(n.Dist) + " " + n.B.String() + ")"
}

func join(args []Expr, sep string) string {
	s := make([]string, len(args))
	for i, a := range args {
		s[i] = a.String()
	}
	return "(" + strings.Join(s, sep) + ")"
}

// ParseRules parses a rule file for language l; file names it in errors,
// which read "file:line: problem".
func ParseRules(src []byte, file string, l ew.Lang) (*RuleSet, error) {
	if !utf8.Valid(src) {
		return nil, fmt.Errorf("signals: %s: not UTF-8", file)
	}
	rs := &RuleSet{Lang: l, Thresholds: map[ew.EventType]float64{}}
	type pending struct {
		head string
		expr strings.Builder
		line int
	}
	var cur *pending
	flush := func() error {
		if cur == nil {
			return nil
		}
		r, err := parseRule(cur.head, cur.expr.String(), l)
		if err != nil {
			return fmt.Errorf("signals: %s:%d: %w", file, cur.line, err)
		}
		r.File, r.Line = file, cur.line
		rs.Rules = append(rs.Rules, r)
		cur = nil
		return nil
	}
	for n, line := range strings.Split(string(src), "\n") {
		lineNo := n + 1
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if cur == nil {
				return nil, fmt.Errorf("signals: %s:%d: continuation line without a rule", file, lineNo)
			}
			cur.expr.WriteByte(' ')
			cur.expr.WriteString(strings.TrimSpace(line))
			continue
		}
		if err := flush(); err != nil {
			return nil, err
		}
		line = strings.TrimSpace(line)
		if f := strings.Fields(line); f[0] == "threshold" {
			if err := rs.parseThreshold(f); err != nil {
				return nil, fmt.Errorf("signals: %s:%d: %w", file, lineNo, err)
			}
			continue
		}
		head, expr, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("signals: %s:%d: want \"TYPE WEIGHT: EXPRESSION\" or \"threshold TYPE VALUE\"", file, lineNo)
		}
		cur = &pending{head: head, line: lineNo}
		cur.expr.WriteString(expr)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return rs, nil
}

func (rs *RuleSet) parseThreshold(f []string) error {
	if len(f) != 3 {
		return fmt.Errorf("want \"threshold TYPE VALUE\"")
	}
	v, err := strconv.ParseFloat(f[2], 64)
	if err != nil || v <= 0 || v > 100 {
		return fmt.Errorf("threshold %q is not a number in (0, 100]", f[2])
	}
	if f[1] == "*" {
		for _, t := range ew.EventTypes {
			rs.Thresholds[t] = v
		}
		return nil
	}
	t := ew.EventType(f[1])
	if !t.Valid() {
		return fmt.Errorf("unknown event type %q", f[1])
	}
	rs.Thresholds[t] = v
	return nil
}

func parseRule(head, expr string, l ew.Lang) (Rule, error) {
	f := strings.Fields(head)
	if len(f) != 2 {
		return Rule{}, fmt.Errorf("rule head %q: want TYPE[/CAMEO] WEIGHT", strings.TrimSpace(head))
	}
	var r Rule
	w, err := strconv.ParseFloat(f[1], 64)
	if err != nil || w < -100 || w > 100 || w == 0 {
		return r, fmt.Errorf("weight %q is not a non-zero number in [-100, 100]", f[1])
	}
	r.Weight = w
	if rest, ok := strings.CutPrefix(f[0], "*"); ok {
		if rest != "" {
			list, ok := strings.CutPrefix(rest, "!")
			if !ok {
				return r, fmt.Errorf("modifier head %q: want * or *!type,type", f[0])
			}
			for _, t := range strings.Split(list, ",") {
				if !ew.EventType(t).Valid() {
					return r, fmt.Errorf("unknown event type %q", t)
				}
				r.Except = append(r.Except, ew.EventType(t))
			}
		}
	} else {
		typ, code, _ := strings.Cut(f[0], "/")
		r.Type = ew.EventType(typ)
		if !r.Type.Valid() {
			return r, fmt.Errorf("unknown event type %q", typ)
		}
		r.CAMEO = r.Type.CAMEO()
		if code != "" {
			if !cameoFits(r.Type, code) {
				return r, fmt.Errorf("CAMEO code %q does not belong to %s", code, r.Type)
			}
			r.CAMEO = code
		}
	}
	r.Source = strings.TrimSpace(expr)
	r.Expr, err = ParseExpr(r.Source, l)
	return r, err
}

// cameoFamilies lists the code prefixes each type may use.
func cameoFits(t ew.EventType, code string) bool {
	if len(code) < 3 || len(code) > 4 {
		return false
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return false
		}
	}
	var fam []string
	switch t {
	case ew.Protest:
		fam = []string{"14"}
	case ew.Riot:
		fam = []string{"145"}
	case ew.ViolenceCasualties:
		fam = []string{"18", "19"}
	case ew.StateOfEmergency:
		fam = []string{"172"}
	case ew.GovernmentResignation:
		fam = []string{"083"}
	case ew.AssistanceRequest:
		fam = []string{"023", "02"}
	case ew.AssistanceDeployment:
		fam = []string{"07", "086"}
	case ew.Withdrawal:
		fam = []string{"087"}
	case ew.Statement:
		fam = []string{"01"}
	case ew.Solidarity:
		fam = []string{"018", "05"}
	case ew.Meeting:
		fam = []string{"03", "04"}
	}
	for _, p := range fam {
		if strings.HasPrefix(code, p) {
			return true
		}
	}
	return false
}

// ParseExpr parses one rule expression for language l.
func ParseExpr(s string, l ew.Lang) (Expr, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, fmt.Errorf("empty expression")
	}
	p := &parser{toks: toks, lang: l}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, fmt.Errorf("unexpected %q (join terms with AND, OR or NEAR/n, or quote a phrase)", p.toks[p.pos].text)
	}
	if onlyNot(e) {
		return nil, fmt.Errorf("expression %q matches only by absence; add a positive term", s)
	}
	return e, nil
}

// onlyNot reports whether e could match a sentence without any of its
// words, which would fire on every sentence.
func onlyNot(e Expr) bool {
	switch e := e.(type) {
	case Not:
		return true
	case Or:
		for _, a := range e.Args {
			if onlyNot(a) {
				return true
			}
		}
	case And:
		for _, a := range e.Args {
			if !onlyNot(a) {
				return false
			}
		}
		return true
	}
	return false
}

type lexTok struct {
	text   string
	quoted bool
	dist   int // for NEAR/n
}

func lex(s string) ([]lexTok, error) {
	var out []lexTok
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r):
			i += size
		case r == '(' || r == ')':
			out = append(out, lexTok{text: string(r)})
			i += size
		case r == '"':
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				return nil, fmt.Errorf("unterminated quote")
			}
			out = append(out, lexTok{text: s[i+1 : i+1+j], quoted: true})
			i += j + 2
		default:
			j := i
			for j < len(s) {
				r, size := utf8.DecodeRuneInString(s[j:])
				if unicode.IsSpace(r) || r == '(' || r == ')' || r == '"' {
					break
				}
				j += size
			}
			out = append(out, lexTok{text: s[i:j]})
			i = j
		}
	}
	return out, nil
}

type parser struct {
	toks []lexTok
	pos  int
	lang ew.Lang
}

func (p *parser) peek(op string) bool {
	return p.pos < len(p.toks) && !p.toks[p.pos].quoted && p.toks[p.pos].text == op
}

func (p *parser) or() (Expr, error) {
	e, err := p.and()
	if err != nil {
		return nil, err
	}
	args := []Expr{e}
	for p.peek("OR") {
		p.pos++
		e, err := p.and()
		if err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	if len(args) == 1 {
		return args[0], nil
	}
	return Or{args}, nil
}

func (p *parser) and() (Expr, error) {
	e, err := p.not()
	if err != nil {
		return nil, err
	}
	args := []Expr{e}
	for p.peek("AND") {
		p.pos++
		e, err := p.not()
		if err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	if len(args) == 1 {
		return args[0], nil
	}
	return And{args}, nil
}

func (p *parser) not() (Expr, error) {
	if p.peek("NOT") {
		p.pos++
		e, err := p.not()
		if err != nil {
			return nil, err
		}
		return Not{e}, nil
	}
	return p.near()
}

func (p *parser) near() (Expr, error) {
	e, err := p.primary()
	if err != nil {
		return nil, err
	}
	for p.pos < len(p.toks) && !p.toks[p.pos].quoted && strings.HasPrefix(p.toks[p.pos].text, "NEAR/") {
		n, err := strconv.Atoi(strings.TrimPrefix(p.toks[p.pos].text, "NEAR/"))
		if err != nil || n < 1 || n > 50 {
			return nil, fmt.Errorf("%q: distance must be 1..50", p.toks[p.pos].text)
		}
		p.pos++
		b, err := p.primary()
		if err != nil {
			return nil, err
		}
		if hasNot(e) || hasNot(b) {
			return nil, fmt.Errorf("NOT inside NEAR/%d has no position", n)
		}
		e = Near{A: e, B: b, Dist: n}
	}
	return e, nil
}

func hasNot(e Expr) bool {
	switch e := e.(type) {
	case Not:
		return true
	case Or:
		for _, a := range e.Args {
			if hasNot(a) {
				return true
			}
		}
	case And:
		for _, a := range e.Args {
			if hasNot(a) {
				return true
			}
		}
	case Near:
		return hasNot(e.A) || hasNot(e.B)
	}
	return false
}

func (p *parser) primary() (Expr, error) {
	if p.pos >= len(p.toks) {
		return nil, fmt.Errorf("expression ends where a term is expected")
	}
	t := p.toks[p.pos]
	p.pos++
	if t.quoted {
		var terms []Term
		for _, w := range strings.Fields(t.text) {
			ts, err := p.terms(w)
			if err != nil {
				return nil, err
			}
			terms = append(terms, ts...)
		}
		if len(terms) == 0 {
			return nil, fmt.Errorf("empty phrase")
		}
		if len(terms) == 1 {
			return terms[0], nil
		}
		return Phrase{terms}, nil
	}
	switch {
	case t.text == "(":
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.peek(")") {
			return nil, fmt.Errorf("missing )")
		}
		p.pos++
		return e, nil
	case t.text == ")", t.text == "AND", t.text == "OR", t.text == "NOT", strings.HasPrefix(t.text, "NEAR/"):
		return nil, fmt.Errorf("unexpected %q where a term is expected", t.text)
	}
	ts, err := p.terms(t.text)
	if err != nil {
		return nil, err
	}
	if len(ts) == 1 {
		return ts[0], nil
	}
	return Phrase{ts}, nil
}

// terms reads one written word, which a hyphen may split into several.
func (p *parser) terms(w string) ([]Term, error) {
	kind := Exact
	if strings.HasPrefix(w, "~") {
		if !hasStemmer(p.lang) {
			return nil, fmt.Errorf("~%s: no stemmer for language %q; use a prefix (word*)", strings.TrimPrefix(w, "~"), p.lang)
		}
		kind, w = Stem, w[1:]
	}
	if strings.HasSuffix(w, "*") {
		if kind == Stem {
			return nil, fmt.Errorf("%q: a term is a stem or a prefix, not both", w)
		}
		kind, w = Prefix, strings.TrimSuffix(w, "*")
	}
	parts := strings.FieldsFunc(w, func(r rune) bool { return r == '-' || r == '‐' })
	if len(parts) == 0 {
		return nil, fmt.Errorf("empty term")
	}
	var out []Term
	for i, part := range parts {
		words := foldWords(part, p.lang)
		if len(words) != 1 {
			return nil, fmt.Errorf("%q is not a word", part)
		}
		k := kind
		if i < len(parts)-1 && k == Prefix {
			k = Exact // only the last part of пресс-служб* is a prefix
		}
		word := words[0]
		if k == Stem {
			word = stem(p.lang, word)
		}
		if k == Prefix && utf8.RuneCountInString(word) < 2 {
			return nil, fmt.Errorf("prefix %q is shorter than two letters", word)
		}
		out = append(out, Term{Word: word, Kind: k})
	}
	return out, nil
}
