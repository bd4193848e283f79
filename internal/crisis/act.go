package crisis

import (
	"fmt"
	"time"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/stix"
)

// Action is one action with its parameters: *RaiseAlert, *OpenSilence,
// and so on (see actions.go). DecodeAction reads one from JSON.
type Action interface {
	// Name is the charter's name of the action.
	Name() charter.Action
	// apply checks the action against the state and returns the records
	// it creates.
	apply(c *actx) ([]Record, error)
}

// Result is what an accepted action produces: the STIX objects to store
// (in one write, in this order), the same records parsed, and the
// notifications to publish once they are stored.
type Result struct {
	Objects       [][]byte
	Versions      []*kurultai.ObjectVersion
	Records       []Record
	Notifications []Notification
}

// actx is one action being checked.
type actx struct {
	m     *Mechanism
	st    *State // nil for raise_alert
	p     kurultai.Principal
	roles []charter.Role // the principal's roles in the situation
	role  charter.Role   // the role it acts in
	now   time.Time
}

// Act checks an action by principal p at time now against the charter
// and the situation's state (derived for the same now; nil for
// raise_alert) and returns the records to store. It changes nothing: the
// caller stores Result.Objects in one write, then publishes
// Result.Notifications. Concurrent actions on one situation must be
// serialised by the caller (derive, act, store under one lock), or two
// chairs' actions could both pass against the same state.
//
// Errors are *kurultai.Error: CodeForbidden when the charter does not
// allow the action to this principal, in this mode or on this consent
// path (the message names the charter rule); CodeInvalid naming the
// parameter; CodeConflict when the situation's state refuses it (after
// expiry, already declared, a second objection by the same member);
// CodeNotFound when a referenced record does not exist in the situation.
//
// New records are timed now, or a microsecond after the situation's
// newest record if that is not older: Derive orders records by time, and
// a record must come after those it was decided on.
func (m *Mechanism) Act(st *State, p kurultai.Principal, a Action, now time.Time) (*Result, error) {
	if a == nil {
		return nil, kurultai.FieldError("action", "required")
	}
	c := &actx{m: m, p: p, now: now.UTC().Truncate(time.Microsecond)}
	name := a.Name()
	if name != charter.ActRaiseAlert {
		if st == nil || st.Situation == nil {
			return nil, kurultai.Errorf(kurultai.CodeNotFound, "situation not found")
		}
		c.st = st
		c.roles = m.RolesOf(p, st.Affected())
		// A new record is always newer than every record it was decided
		// on, so that the order of records (which Derive reads from their
		// times) follows cause and effect even within one microsecond.
		if !c.now.After(st.latest) {
			c.now = st.latest.Add(time.Microsecond)
		}
	} else {
		c.roles = m.RolesOf(p, nil)
	}
	for _, r := range preference {
		if containsRole(c.roles, r) && m.Charter.RoleAllows(r, name) {
			c.role = r
			break
		}
	}
	if c.role == "" {
		return nil, forbidden("roles", "%s is for %s; %s acting as %s may not", name, roleList(m.Charter.RolesFor(name)), p.Participant, roleList(c.roles))
	}
	if c.st != nil {
		if !m.Charter.ModeAllows(c.st.Mode, name) {
			return nil, forbidden("modes."+c.st.Mode+".actions", "%s is not allowed while the situation is in mode %s", name, c.st.Mode)
		}
		if m.Charter.Gated(name) {
			if err := c.gate(name); err != nil {
				return nil, err
			}
		}
	}
	recs, err := a.apply(c)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	for _, rec := range recs {
		raw := encode(rec)
		v, err := stix.ParseObject(raw)
		if err != nil {
			return nil, fmt.Errorf("crisis: %s builds an invalid object: %w", name, err) // a bug: no code, so a 500
		}
		parsed, err := m.Parse(v)
		if err != nil {
			return nil, fmt.Errorf("crisis: %s builds an unreadable record: %w", name, err)
		}
		res.Objects = append(res.Objects, raw)
		res.Versions = append(res.Versions, v)
		res.Records = append(res.Records, parsed)
	}
	res.Notifications = m.Announce(c.st, res.Records)
	return res, nil
}

func containsRole(rs []charter.Role, r charter.Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// gate applies the consent gate to a gated action.
func (c *actx) gate(name charter.Action) error {
	cs := c.m.consentAt(c.st, c.now)
	switch cs.Path {
	case PathWait:
		if cs.Status == ConsentUnasked {
			return forbidden("consent.gated", "%s needs the consent of %s first; ask them (ask_consent)", name, joinCodes(c.st.Affected()))
		}
		return forbidden("consent.gated", "%s waits for the answer of %s to the consent request, due %s", name, joinCodes(c.st.Affected()), timeStr(cs.Request.Expires.Time))
	case PathHalt:
		return forbidden("consent.on_"+map[bool]string{true: "refusal", false: "timeout"}[cs.Status == ConsentRefused],
			"consent is %s and the charter halts %s", cs.Status, name)
	}
	return nil
}

// membersOnly reports whether gated work goes ahead among members only.
func (c *actx) membersOnly() bool {
	return c.m.consentAt(c.st, c.now).Path == PathMembersOnly
}

// meta returns the Meta of a new record of the acting principal.
func (c *actx) meta(k charter.RecordKind, audience string) Meta {
	m := Meta{
		Kind: k, ID: TypeName(k) + "--" + c.m.newID(), Created: c.now, Modified: c.now,
		By: c.p.Participant, Role: c.role, Audience: audience,
	}
	if c.st != nil {
		m.Situation = c.st.ID
	}
	return m
}

// release returns the default audience of a record kind.
func (c *actx) release(k charter.RecordKind) string { return c.m.Charter.ReleaseOf(k).Audience }

func joinCodes(cs []string) string {
	s := ""
	for i, c := range cs {
		if i > 0 {
			s += ", "
		}
		s += c
	}
	return s
}
