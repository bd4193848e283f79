package crisis

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
)

// Mechanism runs a charter: it checks actions, builds their records and
// derives the state of situations from records. It holds no mutable state
// and is safe for concurrent use.
type Mechanism struct {
	Charter *charter.Charter
	newID   func() string
	ids     map[string]string // identity id -> participant code
}

// New returns the mechanism of a charter. newID returns a fresh UUID for
// each new record; nil means random (version 4) UUIDs. Tests and the
// replay pass a deterministic source.
func New(ch *charter.Charter, newID func() string) *Mechanism {
	if newID == nil {
		newID = func() string { return uuid.NewString() }
	}
	m := &Mechanism{Charter: ch, newID: newID, ids: map[string]string{}}
	for _, p := range ch.Participants {
		m.ids[seed.IdentityID(p.Code)] = p.Code
	}
	return m
}

// identities maps the identity id of each participant to its code.
func (m *Mechanism) identities() map[string]string { return m.ids }

// SequentialIDs returns a deterministic UUID source: version 5 UUIDs of
// name and a counter.
func SequentialIDs(name string) func() string {
	n := 0
	return func() string {
		n++
		return uuid.NewSHA1(idNamespace, fmt.Appendf(nil, "%s/%d", name, n)).String()
	}
}

var idNamespace = uuid.MustParse("9b4f3c52-5d0e-4c1a-8f7e-2b6d1a0c9e31")

// preference orders the roles a principal may act in when several allow
// an action: the most specific first.
var preference = []charter.Role{charter.RoleChair, charter.RoleSecretariat, charter.RoleAffected, charter.RoleMember, charter.RoleObserver}

// RolesOf returns the mechanism roles a principal holds in a situation
// affecting the given members (see charter.Role). A principal whose
// participant the charter does not know holds none.
func (m *Mechanism) RolesOf(p kurultai.Principal, affected []string) []charter.Role {
	part, ok := m.Charter.Participant(p.Participant)
	if !ok {
		return nil
	}
	switch p.Role {
	case kurultai.RoleChair:
		if p.Participant == m.Charter.Chair.Participant {
			return []charter.Role{charter.RoleChair}
		}
	case kurultai.RoleSecretariat:
		if part.Kind == kurultai.KindSecretariat {
			return []charter.Role{charter.RoleSecretariat}
		}
	case kurultai.RoleLiaison:
		switch part.Kind {
		case kurultai.KindMember:
			if slices.Contains(affected, p.Participant) {
				return []charter.Role{charter.RoleAffected, charter.RoleMember}
			}
			return []charter.Role{charter.RoleMember}
		case kurultai.KindObserver:
			return []charter.Role{charter.RoleObserver}
		}
	}
	return nil
}

// holds reports whether participant code may act in role r in a situation
// affecting the given members (the participant-level part of RolesOf,
// which is all that a stored record shows of its writer).
func (m *Mechanism) holds(code string, r charter.Role, affected []string) bool {
	p, ok := m.Charter.Participant(code)
	if !ok {
		return false
	}
	switch r {
	case charter.RoleChair:
		return code == m.Charter.Chair.Participant
	case charter.RoleSecretariat:
		return p.Kind == kurultai.KindSecretariat
	case charter.RoleMember:
		return p.Kind == kurultai.KindMember
	case charter.RoleAffected:
		return p.Kind == kurultai.KindMember && slices.Contains(affected, code)
	case charter.RoleObserver:
		return p.Kind == kurultai.KindObserver
	}
	return false
}

// recipients expands a role to the participant codes that hold it.
func (m *Mechanism) recipients(r charter.Role, affected []string) []string {
	var out []string
	for _, p := range m.Charter.Participants {
		if r == charter.RoleAll || m.holds(p.Code, r, affected) {
			out = append(out, p.Code)
		}
	}
	return out
}

// inAudience reports whether participant code is in an audience.
func (m *Mechanism) inAudience(code, audience string) bool {
	p, ok := m.Charter.Participant(code)
	if !ok {
		return false
	}
	switch audience {
	case kurultai.AudiencePublic:
		return true
	case kurultai.AudienceMembersObservers:
		return p.Kind != ""
	case kurultai.AudienceMembers:
		return p.Kind == kurultai.KindMember || p.Kind == kurultai.KindSecretariat
	}
	return code == audience
}

// narrower returns the narrower of two audiences ordered public >
// members+observers > members > a participant code; "" is no constraint.
func narrower(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	rank := func(s string) int {
		switch s {
		case kurultai.AudiencePublic:
			return 3
		case kurultai.AudienceMembersObservers:
			return 2
		case kurultai.AudienceMembers:
			return 1
		}
		return 0
	}
	if rank(b) < rank(a) {
		return b
	}
	return a
}

// forbidden is a refusal that names the charter rule.
func forbidden(rule, format string, args ...any) *kurultai.Error {
	return &kurultai.Error{Code: kurultai.CodeForbidden, Message: "charter " + rule + ": " + fmt.Sprintf(format, args...)}
}

// conflict is a refusal because of the situation's state.
func conflict(format string, args ...any) *kurultai.Error {
	return kurultai.Errorf(kurultai.CodeConflict, format, args...)
}

func roleList(rs []charter.Role) string {
	if len(rs) == 0 {
		return "no role"
	}
	ss := make([]string, len(rs))
	for i, r := range rs {
		ss[i] = string(r)
	}
	return strings.Join(ss, ", ")
}

// timeStr formats a time for messages.
func timeStr(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 MST") }
