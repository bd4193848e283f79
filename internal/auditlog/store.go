package auditlog

import (
	"context"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// CheckpointRecord is a signed checkpoint as the node keeps it.
type CheckpointRecord struct {
	Size uint64
	Root []byte
	Note []byte // the signed note, exactly as signed
	Time time.Time
}

// CosignatureRecord is a witness's cosignature of a stored checkpoint.
type CosignatureRecord struct {
	Size        uint64 // the checkpoint cosigned
	Participant string // whose witness signed
	Line        string // the signature line, newline included
	Time        time.Time
}

// LogReader reads what the node stores about its audit log. Verifiers use
// it; none of it is trusted without recomputation.
type LogReader interface {
	NodeReader
	// TreeHead returns the size and root hash the store recorded with
	// its last append.
	TreeHead(ctx context.Context) (TreeHead, error)
	// AuditRows returns up to limit stored rows from leaf index from
	// (seq from+1) on, in seq order.
	AuditRows(ctx context.Context, from uint64, limit int) ([]Row, error)
	// Checkpoints returns up to limit stored checkpoints with a size
	// greater than after, by size.
	Checkpoints(ctx context.Context, after uint64, limit int) ([]CheckpointRecord, error)
}

// CheckpointStore is what the checkpoint worker needs.
type CheckpointStore interface {
	TreeHead(ctx context.Context) (TreeHead, error)
	// LatestCheckpoint returns the checkpoint of the largest size, or
	// CodeNotFound.
	LatestCheckpoint(ctx context.Context) (CheckpointRecord, error)
	// AddCheckpoint stores a checkpoint durably. A checkpoint of a size
	// already stored is CodeConflict.
	AddCheckpoint(ctx context.Context, c CheckpointRecord) error
}

// Store is everything the HTTP server reads and writes.
type Store interface {
	LogReader
	CheckpointStore
	// LeafIndex returns the index of the leaf with the hash, or
	// CodeNotFound.
	LeafIndex(ctx context.Context, leafHash []byte) (uint64, error)
	// CheckpointAt returns the checkpoint of the size, or CodeNotFound.
	CheckpointAt(ctx context.Context, size uint64) (CheckpointRecord, error)
	// AddCosignature stores a cosignature. A participant's witness
	// cosigns a checkpoint once: when one is stored for the size and
	// participant, another is not stored, and that is no error.
	AddCosignature(ctx context.Context, c CosignatureRecord) error
	// LatestCosigned returns the checkpoint of the largest size that the
	// witnesses of at least need of the participants cosigned, or
	// CodeNotFound.
	LatestCosigned(ctx context.Context, participants []string, need int) (CheckpointRecord, error)
	// Cosignatures returns the cosignatures of the checkpoint of size.
	Cosignatures(ctx context.Context, size uint64) ([]CosignatureRecord, error)
	// AuditObjectVersions returns the stored versions the refs name, by ref
	// (refs naming nothing stored are absent), without their JSON, for
	// the access decision. A ref's version is the version string, or the
	// date added of a version without one, as audit entries write it.
	AuditObjectVersions(ctx context.Context, refs []kurultai.ObjectRef) (map[kurultai.ObjectRef]*kurultai.ObjectVersion, error)
	// Participants lists the participants, to count members.
	Participants(ctx context.Context) ([]kurultai.Participant, error)
	kurultai.Auditor
}
