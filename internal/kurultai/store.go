package kurultai

import (
	"context"
	"time"
)

// Collection is a TAXII collection.
type Collection struct {
	ID          string // UUID
	Title       string
	Description string
	Alias       string
}

// VersionFilter selects versions (TAXII match[version]). The zero value
// selects the last version of each object.
type VersionFilter struct {
	All   bool
	First bool
	Last  bool
	Keys  []int64 // exact versions by VersionKey
}

// Cursor is an opaque keyset position: the date added (Unix microseconds)
// of the last version a page returned.
type Cursor int64

// Query selects object versions of one collection in date-added order.
type Query struct {
	Collection   string
	AddedAfter   time.Time // zero: no bound
	After        Cursor    // keyset position from a previous page; 0: start
	IDs          []string  // match[id]; empty: any
	Types        []string  // match[type]; empty: any
	SpecVersions []string  // match[spec_version]; empty: any (stored objects are 2.1)
	Versions     VersionFilter
	Limit        int // at least 1; the store caps it
	// WithRaw asks for the stored JSON; manifests and version lists do not
	// need it.
	WithRaw bool
}

// Page is one page of a query. Items are in date-added order and each has
// already passed the caller's allow function.
type Page struct {
	Items []*ObjectVersion
	More  bool
	Next  Cursor // position after the last item; valid when More is true
	// Withheld counts versions the allow function refused while filling
	// this page (for the audit log; never shown to the caller).
	Withheld int
}

// StatusDetail is one object's outcome in a TAXII status resource.
type StatusDetail struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Message string `json:"message,omitempty"`
}

// Status is a TAXII status resource: the outcome of one write request.
type Status struct {
	ID               string
	Collection       string
	Owner            string // participant code of the writer; only it may read the status
	Status           string // "complete" or "pending"
	RequestTimestamp time.Time
	Successes        []StatusDetail
	Failures         []StatusDetail
	Pendings         []StatusDetail
}

// Write is one request to add object versions to a collection. Objects that
// failed to parse are listed in Rejected and recorded as failures.
type Write struct {
	Principal  Principal
	Collection string
	StatusID   string
	Objects    []*ObjectVersion
	Rejected   []StatusDetail
	Time       time.Time
	// SameContent, if set, decides whether a stored version and a re-sent
	// one with other bytes are the same content (for example the same
	// object signed again, or formatted differently), making the re-send
	// an idempotent success rather than a conflict. It runs on the store's
	// writer and must not call the store.
	SameContent func(stored, incoming []byte) bool
}

// ObjectStore keeps object versions, their statuses and marking-definitions.
type ObjectStore interface {
	// AddObjects stores each acceptable version of w, records the status
	// and appends the audit entry, all in one durable transaction. A version
	// is refused (a failure in the status, the others still stored) when
	// another participant wrote the object, when the same version exists
	// with other content, or when it references a marking that is neither
	// stored nor in w. Re-sending an identical version succeeds.
	AddObjects(ctx context.Context, w Write) (Status, error)
	// ListObjects returns one page of q, keeping only the versions for
	// which allow returns true.
	ListObjects(ctx context.Context, q Query, allow func(*ObjectVersion) bool) (Page, error)
	// DeleteObject deletes the versions of the object that match the filter
	// and that allow accepts, appending the audit entry in the same
	// transaction. It returns CodeNotFound when nothing matched.
	DeleteObject(ctx context.Context, collection, id string, vf VersionFilter, allow func(*ObjectVersion) bool, entry AuditEntry) (int, error)
	// Status returns a status resource.
	Status(ctx context.Context, id string) (Status, error)
	// Markings returns every marking-definition the node understands.
	Markings(ctx context.Context) ([]Marking, error)
	// CountObjects returns the number of stored versions (for metrics).
	CountObjects(ctx context.Context) (int64, error)
}

// DirectoryStore keeps participants, users, tokens and collections.
type DirectoryStore interface {
	PutParticipant(ctx context.Context, p Participant) error
	Participants(ctx context.Context) ([]Participant, error)
	Participant(ctx context.Context, code string) (Participant, error)

	CreateUser(ctx context.Context, u User) (User, error) // CodeConflict if the name is taken
	UserByName(ctx context.Context, username string) (User, error)
	UserByID(ctx context.Context, id int64) (User, error)
	Users(ctx context.Context) ([]User, error)
	SetPasswordHash(ctx context.Context, userID int64, hash string) error

	CreateToken(ctx context.Context, t Token) error
	TokenByID(ctx context.Context, id string) (Token, error)
	// Tokens lists every token, oldest first, without hashes.
	Tokens(ctx context.Context) ([]Token, error)

	PutCollection(ctx context.Context, c Collection) error
	Collections(ctx context.Context) ([]Collection, error)
	Collection(ctx context.Context, id string) (Collection, error)
}

// Store is everything a node keeps on disk.
type Store interface {
	ObjectStore
	DirectoryStore
	Auditor
	// Ping reports whether the store answers (for /readyz).
	Ping(ctx context.Context) error
	Close() error
}

// KeyLocker is implemented by stores that several processes share (the
// PostgreSQL store): a lock named by key that holds across every process
// using the store, for work that must happen once (an action on a crisis
// situation, the crisis clock). A store that one process holds alone (SQLite
// in its data directory) needs none: an in-process mutex is enough.
type KeyLocker interface {
	// LockKey waits for the lock of key, until ctx ends, and returns the
	// function that releases it. Each process must hold a key once: the
	// lock may be re-entrant within a process.
	LockKey(ctx context.Context, key string) (unlock func(), err error)
	// TryLockKey takes the lock of key if it is free; ok reports whether
	// it did (unlock is nil when not).
	TryLockKey(ctx context.Context, key string) (unlock func(), ok bool, err error)
}
