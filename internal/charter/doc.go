// Package charter reads an organization's crisis procedure from a YAML
// file: who takes part (members, observers, the secretariat) and who
// chairs; which role may take which action; the crisis modes and the
// transitions between them; deadlines counted from onset or from an event,
// with reminders; the affected state's consent gate; the decision rules
// (consensus, the silence procedure); meeting levels and quorum; the
// assistance messages and statuses; the default releasability of each kind
// of record; and the KPIs measured per situation.
//
// The embedded default (charter/ots.yaml) describes the Organization of
// Turkic States as in January 2022. It is also the base every other charter
// starts from: a file must give version, organization, participants and
// chair, and may omit the rest.
//
// # Durations
//
// Durations are Go durations ("12h", "90m", "1h30m") or whole days ("3d" =
// 72h). Bare numbers are refused: "12" could mean hours or days. Negative
// durations and durations over ten years are refused.
//
// # Errors
//
// Load reports every problem it finds, not only the first, each as
// "file:line: field: problem": YAML syntax, unknown and duplicate fields,
// wrong types, missing required fields, references to undefined
// participants, roles, modes, meeting levels or events, and contradictory
// settings (a silence minimum longer than the urgent period, a final mode
// with transitions, an observer allowed to break silence, drafts released
// beyond members, ...). Anchors and aliases are refused so that every value
// has a line of its own. A charter is untrusted input; the loader is
// fuzzed and never panics.
package charter
