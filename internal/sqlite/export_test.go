package sqlite

import (
	"context"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// OpenWithAuditFault opens a store whose audit appends (stage "append",
// with the entries) and tree extensions (stage "tree") fail when fault
// returns an error, for the fail-closed tests of other packages' surfaces.
func OpenWithAuditFault(ctx context.Context, path string, opts Options, fault func(stage string, entries []kurultai.AuditEntry) error) (*Store, error) {
	opts.auditFault = fault
	return Open(ctx, path, opts)
}
