package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kurultai/kurultai/internal/auditlog"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// ImportOptions configures Import.
type ImportOptions struct {
	// Force replaces a node's data already in the database.
	Force bool
	Clock kurultai.Clock // defaults to time.Now
	// Check runs in the import's transaction once every table is in and
	// the schema is migrated, with a reader of the restored audit log; an
	// error rolls the whole import back.
	Check func(ctx context.Context, lr auditlog.LogReader) error
}

// nodeAppName is the SQL expression of the application_name a node's
// sessions carry: "kurultai" and the schema they use (as the server keeps
// it: at most 63 bytes).
const nodeAppName = `left('kurultai ' || coalesce(current_schema(), ''), 63)`

// ErrNodesRunning is returned by Import while Kurultai nodes are connected
// to the target schema.
var ErrNodesRunning = errors.New("the schema is in use")

// checkNoNodes refuses while other sessions of the current database carry
// a node's application_name for the current schema.
func checkNoNodes(ctx context.Context, tx pgx.Tx) error {
	var n int
	var schema string
	err := tx.QueryRow(ctx, `SELECT count(*), coalesce(current_schema(), '') FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = `+nodeAppName).Scan(&n, &schema)
	if err != nil {
		return mapErr(err)
	}
	if n > 0 {
		return fmt.Errorf("%w: %d sessions of running nodes use schema %s; stop the nodes first", ErrNodesRunning, n, schema)
	}
	return nil
}

// dataTables are the tables whose rows mean a node's data is there.
var dataTables = []string{"participants", "users", "collections", "objects", "audit_log"}

// Import restores an export into the database at url in one transaction:
// it creates the schema of the export's version (or empties one at that
// version, with Force), copies in each table's binary COPY data as next
// hands it out (in info's order), migrates to this binary's version, runs
// opts.Check and commits. Nothing is visible to others before the commit;
// an error leaves the database as it was.
func Import(ctx context.Context, url string, info ExportInfo, next func() (string, io.Reader, error), opts ImportOptions) error {
	if err := importTx(ctx, url, info, next, opts); err != nil {
		return fmt.Errorf("postgres: import into %s: %w", redact(url), err)
	}
	return nil
}

func importTx(ctx context.Context, url string, info ExportInfo, next func() (string, io.Reader, error), opts ImportOptions) error {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		return err
	}
	v := len(info.Migrations)
	if v > len(ms) || !slices.Equal(info.Migrations, Migrations()[:v]) {
		return fmt.Errorf("%w: the backup's migrations %v are not those this binary knows (%v)", ErrSchemaNewer, info.Migrations, Migrations())
	}
	conn, err := connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tx, err := conn.Begin(ctx)
	if err != nil {
		return mapErr(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	// Nodes starting meanwhile wait instead of migrating under us.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrateLockKey)); err != nil {
		return mapErr(err)
	}
	if err := checkNoNodes(ctx, tx); err != nil {
		return err
	}
	have, err := appliedMigrations(ctx, tx)
	if err != nil {
		return err
	}
	if len(have) > len(ms) || !slices.Equal(have, Migrations()[:len(have)]) {
		return fmt.Errorf("%w: the target's migrations %v are not those this binary knows", ErrSchemaNewer, have)
	}
	if err := checkEmpty(ctx, tx, opts.Force); err != nil {
		return err
	}
	if len(have) > v {
		return fmt.Errorf("the target's schema is at version %d, newer than the backup's %d: restore into an empty schema or database, then let the node migrate it", len(have), v)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY, name text NOT NULL, applied bigint NOT NULL)`); err != nil {
		return mapErr(err)
	}
	if err := migrateTx(ctx, tx, ms[len(have):v], opts.Clock); err != nil {
		return err
	}
	if err := checkTableSet(ctx, tx, info); err != nil {
		return err
	}
	if err := loadTables(ctx, tx, info, next); err != nil {
		return err
	}
	if err := migrateTx(ctx, tx, ms[v:], opts.Clock); err != nil {
		return err
	}
	// Sessions are not restored (an older export may hold some).
	if _, err := tx.Exec(ctx, `DELETE FROM `+sessionsTable); err != nil {
		return fmt.Errorf("web sessions: %w", mapErr(err))
	}
	if opts.Check != nil {
		if err := opts.Check(ctx, logReader{tx}); err != nil {
			return err
		}
	}
	return mapErr(tx.Commit(ctx))
}

// checkEmpty refuses a target holding a node's data, unless forced.
func checkEmpty(ctx context.Context, tx pgx.Tx, force bool) error {
	for _, t := range dataTables {
		var rows bool
		err := tx.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, t).Scan(&rows)
		if err == nil && rows {
			err = tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+ident(t)+`)`).Scan(&rows)
		}
		if err != nil {
			return mapErr(err)
		}
		if rows && !force {
			return fmt.Errorf("%w (table %s has rows); restore into an empty schema or database, or force it", ErrNotEmpty, t)
		}
	}
	return nil
}

// checkTableSet requires the export's tables to be exactly those of the
// schema, now at the export's version (for an empty target, what the
// migrations create): a table left out would keep its old rows.
func checkTableSet(ctx context.Context, tx pgx.Tx, info ExportInfo) error {
	var have []string
	err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(relname::text ORDER BY relname), '{}') FROM pg_class
		WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p')`).Scan(&have)
	if err != nil {
		return mapErr(err)
	}
	listed := map[string]bool{}
	for _, t := range info.Tables {
		listed[t.Name] = true
		if !slices.Contains(have, t.Name) {
			return fmt.Errorf("the backup's table %s is not in the schema of version %d", t.Name, info.SchemaVersion)
		}
	}
	for _, name := range have {
		if !listed[name] {
			return fmt.Errorf("the backup lacks table %s of the schema of version %d: it is not a whole export", name, info.SchemaVersion)
		}
	}
	return nil
}

// migrateTx applies ms in tx, recording each.
func migrateTx(ctx context.Context, tx pgx.Tx, ms []migration, clock kurultai.Clock) error {
	for _, m := range ms {
		if _, err := tx.Exec(ctx, m.sql, pgx.QueryExecModeSimpleProtocol); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, mapErr(err))
		}
		_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied) VALUES ($1, $2, $3)`, m.version, m.name, clock().UnixNano())
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.name, mapErr(err))
		}
	}
	return nil
}

// loadTables empties the export's tables (their append-only triggers off
// meanwhile: the table owner may) and copies the data in.
func loadTables(ctx context.Context, tx pgx.Tx, info ExportInfo, next func() (string, io.Reader, error)) error {
	var names []string
	for _, t := range info.Tables {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, t.Name).Scan(&ok); err != nil {
			return mapErr(err)
		}
		if !ok {
			return fmt.Errorf("the backup's table %s is not in the schema of version %d", t.Name, info.SchemaVersion)
		}
		names = append(names, ident(t.Name))
		if _, err := tx.Exec(ctx, `ALTER TABLE `+ident(t.Name)+` DISABLE TRIGGER USER`); err != nil {
			return fmt.Errorf("%s: %w", t.Name, mapErr(err))
		}
	}
	if _, err := tx.Exec(ctx, `TRUNCATE `+strings.Join(names, ", ")); err != nil {
		return fmt.Errorf("empty the tables: %w", mapErr(err))
	}
	for _, t := range info.Tables {
		name, body, err := next()
		if err != nil {
			return err
		}
		if name != t.Name {
			return fmt.Errorf("the backup holds table %s where %s was expected", name, t.Name)
		}
		tag, err := tx.Conn().PgConn().CopyFrom(ctx, body, "COPY "+ident(t.Name)+" ("+idents(t.Columns)+") FROM STDIN (FORMAT binary)")
		if err != nil {
			return fmt.Errorf("copy into %s: %w", t.Name, mapErr(err))
		}
		if tag.RowsAffected() != t.Rows {
			return fmt.Errorf("copy into %s: %d rows, the backup counted %d", t.Name, tag.RowsAffected(), t.Rows)
		}
	}
	for _, t := range info.Tables {
		if _, err := tx.Exec(ctx, `ALTER TABLE `+ident(t.Name)+` ENABLE TRIGGER USER`); err != nil {
			return fmt.Errorf("%s: %w", t.Name, mapErr(err))
		}
	}
	return resetIdentities(ctx, tx)
}

// resetIdentities moves every identity column's sequence past the largest
// value restored, so new rows do not collide with restored ones.
func resetIdentities(ctx context.Context, tx pgx.Tx) error {
	rows, err := tx.Query(ctx, `SELECT table_name::text, column_name::text FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_identity = 'YES'`)
	if err != nil {
		return mapErr(err)
	}
	type col struct{ table, column string }
	var cols []col
	for rows.Next() {
		var c col
		if err := rows.Scan(&c.table, &c.column); err != nil {
			rows.Close()
			return mapErr(err)
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return mapErr(err)
	}
	for _, c := range cols {
		_, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), (SELECT coalesce(max(`+ident(c.column)+`), 0) + 1 FROM `+ident(c.table)+`), false)`,
			ident(c.table), c.column)
		if err != nil {
			return fmt.Errorf("identity %s.%s: %w", c.table, c.column, mapErr(err))
		}
	}
	return nil
}

// logReader reads the audit log through a pool or a transaction; it
// implements auditlog.LogReader.
type logReader struct{ q querier }

// AuditRows implements auditlog.LogReader.
func (l logReader) AuditRows(ctx context.Context, from uint64, limit int) ([]auditlog.Row, error) {
	return readAuditRows(ctx, l.q, from, min(max(limit, 1), maxAuditRows))
}

// TreeHead implements auditlog.LogReader.
func (l logReader) TreeHead(ctx context.Context) (auditlog.TreeHead, error) {
	var h auditlog.TreeHead
	var size int64
	if err := l.q.QueryRow(ctx, `SELECT size, root FROM audit_tree`).Scan(&size, &h.Root); err != nil {
		return h, fmt.Errorf("tree head: %w", mapErr(err))
	}
	h.Size = uint64(size)
	return h, nil
}

// NodeHashes implements auditlog.NodeReader.
func (l logReader) NodeHashes(ctx context.Context, ids []auditlog.NodeID) ([][]byte, error) {
	out := make([][]byte, len(ids))
	for i, id := range ids {
		var err error
		if id.Level == 0 {
			err = l.q.QueryRow(ctx, `SELECT leaf FROM audit_log WHERE seq = $1`, int64(min(id.Index, 1<<62))+1).Scan(&out[i])
		} else {
			err = l.q.QueryRow(ctx, `SELECT hash FROM audit_nodes WHERE id = $1`, clampInt64(auditlog.PostOrder(id))).Scan(&out[i])
		}
		if errNoRows(err) || err == nil && out[i] == nil {
			return nil, fmt.Errorf("audit node (%d, %d): %w", id.Level, id.Index, notFound("audit tree node"))
		}
		if err != nil {
			return nil, fmt.Errorf("audit node: %w", mapErr(err))
		}
	}
	return out, nil
}

// Checkpoints implements auditlog.LogReader.
func (l logReader) Checkpoints(ctx context.Context, after uint64, limit int) ([]auditlog.CheckpointRecord, error) {
	rows, err := l.q.Query(ctx, `SELECT `+checkpointCols+` FROM audit_checkpoints WHERE size > $1 ORDER BY size LIMIT $2`,
		clampInt64(after), min(max(limit, 1), maxAuditRows))
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", mapErr(err))
	}
	defer rows.Close()
	var out []auditlog.CheckpointRecord
	for rows.Next() {
		c, err := scanCheckpoint(rows)
		if err != nil {
			return nil, fmt.Errorf("checkpoints: %w", mapErr(err))
		}
		out = append(out, c)
	}
	return out, mapErr(rows.Err())
}

// AuditLog reads a node's audit log without migrating or writing the
// database, for verification ('kurultai audit verify --database'). It
// implements auditlog.LogReader.
type AuditLog struct {
	logReader
	pool *pgxpool.Pool
}

// OpenAuditLog connects to the database at url. It refuses a schema this
// binary does not know, or one without an audit tree.
func OpenAuditLog(ctx context.Context, url string) (*AuditLog, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, kurultai.Errorf(kurultai.CodeInvalid, "database URL is not a valid PostgreSQL connection string")
	}
	cfg.MaxConns = 2
	cfg.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open audit log %s: %w", redact(url), mapErr(err))
	}
	names, err := appliedMigrations(ctx, pool)
	if err == nil {
		known := Migrations()
		switch {
		case len(names) > len(known) || !slices.Equal(names, known[:len(names)]):
			err = fmt.Errorf("%w: the database's migrations %v are not those this binary knows", ErrSchemaNewer, names)
		case len(names) < 2:
			err = fmt.Errorf("the database is at version %d and has no audit tree yet; start the node once to build it", len(names))
		}
	}
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open audit log %s: %w", redact(url), err)
	}
	return &AuditLog{logReader: logReader{pool}, pool: pool}, nil
}

// Close closes the connections.
func (l *AuditLog) Close() error {
	l.pool.Close()
	return nil
}
