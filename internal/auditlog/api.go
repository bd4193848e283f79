package auditlog

import (
	"encoding/json"
	"time"
)

// The JSON documents of the HTTP API, shared by the server and Client.
// Hashes are standard base64 (as in checkpoints); times RFC 3339 UTC.

// CheckpointJSON is a stored checkpoint.
type CheckpointJSON struct {
	Size uint64    `json:"size"`
	Root []byte    `json:"root"` // encoding/json writes []byte as standard base64
	Time time.Time `json:"time"`
	Note string    `json:"note"` // the signed note, as the node signed it
}

// CheckpointsResponse answers GET /audit/v1/checkpoints.
type CheckpointsResponse struct {
	Checkpoints []CheckpointJSON `json:"checkpoints"`
	More        bool             `json:"more"`
}

// CosignatureJSON is a stored cosignature.
type CosignatureJSON struct {
	Participant string    `json:"participant"`
	Time        time.Time `json:"time"` // when the node stored it
	Line        string    `json:"line"` // the signature line, to append to the note
}

// CosignaturesResponse answers GET /audit/v1/cosignatures and POST.
type CosignaturesResponse struct {
	Size         uint64            `json:"size"`
	Cosignatures []CosignatureJSON `json:"cosignatures"`
	// Accepted lists, in an answer to POST, the participants whose
	// cosignatures in the request verified.
	Accepted []string `json:"accepted,omitempty"`
}

// CheckpointStatus is a checkpoint with its cosignatures.
type CheckpointStatus struct {
	CheckpointJSON
	Cosignatures []CosignatureJSON `json:"cosignatures"`
	// MemberCosignatures counts the members whose witnesses cosigned.
	MemberCosignatures int  `json:"member_cosignatures"`
	Witnessed          bool `json:"witnessed"`
}

// StatusResponse answers GET /audit/v1/status.
type StatusResponse struct {
	Origin   string `json:"origin"`
	TreeSize uint64 `json:"tree_size"`
	Members  int    `json:"members"`
	// Majority is how many members must cosign for "witnessed".
	Majority int `json:"majority"`
	// Latest is the latest checkpoint; null before the first.
	Latest *CheckpointStatus `json:"latest"`
	// Witnessed is the latest checkpoint cosigned by a majority of
	// members; null when there is none.
	Witnessed *CheckpointStatus `json:"witnessed"`
}

// InclusionProofJSON answers GET /audit/v1/proof/inclusion.
type InclusionProofJSON struct {
	Index    uint64   `json:"index"`
	Size     uint64   `json:"size"`
	LeafHash []byte   `json:"leaf_hash"`
	Hashes   [][]byte `json:"hashes"`
}

// ConsistencyProofJSON answers GET /audit/v1/proof/consistency.
type ConsistencyProofJSON struct {
	From   uint64   `json:"from"`
	To     uint64   `json:"to"`
	Hashes [][]byte `json:"hashes"`
}

// EntryJSON is one audit entry as an auditor sees it.
type EntryJSON struct {
	Index    uint64 `json:"index"`
	LeafHash []byte `json:"leaf_hash"`
	// Complete reports whether Entry is the whole entry: its canonical
	// form then hashes to LeafHash. An entry by another participant's
	// principal that concerns objects the auditor may see, and others it
	// may not, shows only the visible objects and no query.
	Complete bool `json:"complete"`
	// Entry is the leaf data: the entry's canonical JSON (see AppendLeaf).
	Entry json.RawMessage `json:"entry"`
	// WithheldObjects counts the object refs left out of an incomplete
	// entry.
	WithheldObjects int `json:"withheld_objects,omitempty"`
}

// EntriesResponse answers GET /audit/v1/entries. Next is the index to ask
// for next; More reports whether entries beyond it exist.
type EntriesResponse struct {
	Entries []EntryJSON `json:"entries"`
	Next    uint64      `json:"next"`
	More    bool        `json:"more"`
}
