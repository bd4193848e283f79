package kurultai

import (
	"context"
	"time"
)

// Audit actions.
const (
	ActionObjectsAdd   = "objects.add"
	ActionObjectsRead  = "objects.read"
	ActionObjectRead   = "object.read"
	ActionObjectDelete = "object.delete"
	ActionManifestRead = "manifest.read"
	ActionVersionsRead = "versions.read"
	ActionStatusRead   = "status.read"
	ActionLogin        = "login"
	ActionUserCreate   = "user.create"
	ActionTokenCreate  = "token.create"
)

// Decisions recorded in the audit log.
const (
	DecisionAllow = "allow"
	DecisionDeny  = "deny"
)

// AuditEntry records one access decision or write: who, for which
// participant, what, on which objects (or which query), and the outcome.
type AuditEntry struct {
	Time        time.Time
	Username    string
	Participant string
	Action      string
	Objects     []ObjectRef // the object versions concerned; may be empty
	Query       string      // the query, for reads that list objects
	Decision    string      // DecisionAllow or DecisionDeny
	Detail      string      // counts and reasons; never object contents
}

// Auditor appends entries to the audit log durably. An error means nothing
// was appended, and the caller must fail the request.
type Auditor interface {
	AppendAudit(ctx context.Context, entries ...AuditEntry) error
}

// Bus carries notifications between the parts of a node (and later between
// nodes). Messages are published after the commit they announce.
type Bus interface {
	Publish(ctx context.Context, subject string, data []byte) error
	// Subscribe calls fn for each message on subject until the returned
	// function is called.
	Subscribe(subject string, fn func(subject string, data []byte)) (unsubscribe func(), err error)
	Close() error
}

// BusReady returns an error with CodeUnavailable when b can tell without
// a round trip that it cannot take messages now (a bus with a Ready
// method, such as natsbus's while it reconnects); nil for a nil bus or
// one that cannot tell. Writers check it before committing, so that a
// change is not stored while nobody can hear of it.
func BusReady(b Bus) error {
	if r, ok := b.(interface{ Ready() error }); ok {
		return r.Ready()
	}
	return nil
}

// Clock returns the current time; tests inject their own.
type Clock func() time.Time
