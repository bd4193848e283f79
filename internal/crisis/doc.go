// Package crisis is the domain logic of the codified crisis mechanism:
// pure, deterministic functions over a charter (package charter) and STIX
// records.
//
// # Records
//
// Every step of a situation is a STIX 2.1 object of a new SDO type
// ("kurultai-situation", "kurultai-silence-break", ...; see TypeName),
// defined by an extension-definition with a fixed id (ExtensionDefinitions)
// and carrying that extension with extension_type "new-sdo". Every object
// has one writer: a member's objection or pledge is its own object that
// refers to the draft or request. Records carry created_by_ref (the
// writer's identity), actor_role (the mechanism role it acted in),
// situation_ref and the markings of the charter's releasability default for
// their kind. They live in the crisis collection (CollectionID) of the
// exchange core, so access checks, audit and replication apply unchanged.
//
// # Acting
//
// The caller derives the state, acts, stores, publishes:
//
//	recs, _, err := m.Load(ctx, store, crisis.CollectionID, allow)
//	st, err := m.Derive(situationID, recs, now)
//	res, err := m.Act(st, principal, &crisis.OpenSilence{...}, now)
//	// store res.Objects in one write, then publish res.Notifications
//
// Act checks the principal's role, the situation's mode, the consent gate
// and the time against the charter; errors are *kurultai.Error naming the
// charter rule or the parameter. Act changes nothing itself.
//
// # Deriving
//
// Derive computes a situation's state from its records at an instant: the
// mode and its history, the consent gate, each silence procedure's outcome
// (the chair's declaration is authoritative; objections made after expiry
// are listed as late and do not count), meetings and quorum, assistance
// totals and statuses, deadline instances with their status, and KPIs.
// Records are processed in an order fixed by their content (time, kind,
// id, version, hash), so any arrival order gives the same state. A record
// whose writer was not entitled to it is listed in Ignored.
//
// # The clock
//
// Due returns the reminders and the overdue digest the clock owes at an
// instant, each with a stable id to send once; Next returns when to look
// again. Time is always a parameter, so tests replay days in milliseconds.
//
// See docs/CRISIS.md for the records, actions and derived state in full.
package crisis
