package kurultai

import "time"

// ParticipantKind says how a participant takes part in the organization.
type ParticipantKind string

// The participant kinds.
const (
	KindMember      ParticipantKind = "member"
	KindObserver    ParticipantKind = "observer"
	KindSecretariat ParticipantKind = "secretariat"
)

// Valid reports whether k is one of the known kinds.
func (k ParticipantKind) Valid() bool {
	return k == KindMember || k == KindObserver || k == KindSecretariat
}

// Participant is a state or body taking part: a member, an observer or the
// secretariat. Code is short and upper case ("KZ", "SEC").
type Participant struct {
	Code string
	Name string
	Kind ParticipantKind
}

// Role is what a user does for its participant.
type Role string

// The roles (see PRODUCT.md, "Who uses it").
const (
	RoleLiaison     Role = "liaison"     // a member's or observer's liaison officer
	RoleChair       Role = "chair"       // the chairmanship's foreign ministry
	RoleSecretariat Role = "secretariat" // a secretariat officer
	RoleAdmin       Role = "admin"       // node administrator
	RoleAuditor     Role = "auditor"     // verifies the audit log
)

// Roles lists every role, in a stable order.
var Roles = []Role{RoleLiaison, RoleChair, RoleSecretariat, RoleAdmin, RoleAuditor}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	for _, k := range Roles {
		if r == k {
			return true
		}
	}
	return false
}

// User is an account on this node.
type User struct {
	ID           int64
	Username     string
	Participant  string // participant code
	Role         Role
	PasswordHash string // encoded hash (argon2id); never the password
	Created      time.Time
	Disabled     bool
}

// Token is a bearer API token. Only the hash of its secret is stored.
type Token struct {
	ID      string // public part, shown in listings and used for lookup
	UserID  int64
	Label   string
	Hash    []byte // SHA-256 of the secret part
	Created time.Time
	Expires time.Time // zero means it does not expire
}

// Principal is an authenticated caller: a user acting for a participant.
type Principal struct {
	UserID      int64
	Username    string
	Participant string          // participant code
	Kind        ParticipantKind // the participant's kind
	Role        Role
}

// CanRead reports whether the principal may read shared objects at all (the
// access decision still applies to each object).
func (p Principal) CanRead() bool { return p.Participant != "" && p.Role.Valid() }

// CanWrite reports whether the principal may add shared objects: liaison
// officers, the chair and the secretariat; not administrators or auditors.
func (p Principal) CanWrite() bool {
	switch p.Role {
	case RoleLiaison, RoleChair, RoleSecretariat:
		return p.Participant != ""
	}
	return false
}
