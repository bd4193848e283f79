package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/auditlog"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// memExport keeps an export in memory.
type memExport struct {
	info ExportInfo
	data map[string]*bytes.Buffer
}

func (m *memExport) Begin(info ExportInfo) error {
	m.info, m.data = info, map[string]*bytes.Buffer{}
	return nil
}

func (m *memExport) Table(t Table) (io.WriteCloser, error) {
	b := &bytes.Buffer{}
	m.data[t.Name] = b
	return nopCloser{b}, nil
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// source hands out the export's tables in order, the one named cut
// (if any) cut short.
func (m *memExport) source(cut string) func() (string, io.Reader, error) {
	i := 0
	return func() (string, io.Reader, error) {
		if i >= len(m.info.Tables) {
			return "", nil, io.EOF
		}
		t := m.info.Tables[i]
		i++
		b := m.data[t.Name].Bytes()
		if t.Name == cut {
			b = b[:len(b)/2]
		}
		return t.Name, bytes.NewReader(b), nil
	}
}

func exportOf(t *testing.T, url string) *memExport {
	t.Helper()
	m := &memExport{}
	if err := Export(context.Background(), url, m); err != nil {
		t.Fatalf("Export: %v", err)
	}
	return m
}

func rowsOf(info ExportInfo, table string) int64 {
	for _, t := range info.Tables {
		if t.Name == table {
			return t.Rows
		}
	}
	return -1
}

// TestExportImport exports a database while two goroutines write, imports
// the export into an empty schema and checks that the copy holds the same
// rows, table by table, and a verified audit log; then the refusals.
func TestExportImport(t *testing.T) {
	ctx := context.Background()
	src := freshSchema(t)
	s := openURL(t, src, Options{})
	benchSetup(t, s)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 2 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				v := fixtureVersion(g*100000+i, time.Unix(1700000000, 0))
				if _, err := s.AddObjects(ctx, kurultai.Write{Principal: benchPrincipal, Collection: benchColl, StatusID: fmt.Sprint("w", g, "-", i), Objects: []*kurultai.ObjectVersion{v}}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	// Let the writers get going, then export while they write.
	waitRows(t, s, 20)
	exp := exportOf(t, src)
	close(stop)
	wg.Wait()

	if got, want := exp.info.Migrations, Migrations(); !slices.Equal(got, want) {
		t.Errorf("migrations %v, want %v", got, want)
	}
	objects, audit := rowsOf(exp.info, "objects"), rowsOf(exp.info, "audit_log")
	if objects < 20 || audit < objects {
		t.Fatalf("export of %d objects and %d audit rows", objects, audit)
	}
	// The export is one moment: the tree covers exactly the rows.
	dst := freshSchema(t)
	verified := false
	err := Import(ctx, dst, exp.info, exp.source(""), ImportOptions{Check: func(ctx context.Context, lr auditlog.LogReader) error {
		rep, err := auditlog.VerifyLog(ctx, lr, auditlog.VerifyOptions{})
		if err != nil || !rep.OK() || rep.Entries != uint64(audit) || rep.TreeSize != uint64(audit) {
			return fmt.Errorf("verify: %+v, %v", rep, err)
		}
		verified = true
		return nil
	}})
	if err != nil || !verified {
		t.Fatalf("Import: %v (verified %v)", err, verified)
	}
	again := exportOf(t, dst)
	for _, tb := range exp.info.Tables {
		if !bytes.Equal(exp.data[tb.Name].Bytes(), again.data[tb.Name].Bytes()) {
			t.Errorf("table %s differs after the round trip", tb.Name)
		}
	}
	// The restored store works: it reads the objects and takes new ones.
	r := openURL(t, dst, Options{})
	v := fixtureVersion(999999, time.Unix(1700000000, 0))
	if st, err := r.AddObjects(ctx, kurultai.Write{Principal: benchPrincipal, Collection: benchColl, StatusID: "after", Objects: []*kurultai.ObjectVersion{v}}); err != nil || len(st.Failures) > 0 {
		t.Fatalf("write after restore: %v %+v", err, st.Failures)
	}
	if _, err := r.CreateUser(ctx, kurultai.User{Username: "new", Participant: "KZ", Role: kurultai.RoleLiaison, PasswordHash: "x"}); err != nil {
		t.Errorf("new user after restore (identity sequence): %v", err)
	}

	// While a node (a store) uses the schema, even a forced import is
	// refused, naming how many sessions; the store open on src all along
	// did not block the imports into dst.
	if err := Import(ctx, dst, exp.info, exp.source(""), ImportOptions{Force: true}); !errors.Is(err, ErrNodesRunning) || !strings.Contains(err.Error(), "sessions of running nodes") {
		t.Errorf("import under a running store: %v, want ErrNodesRunning", err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	waitNoNodes(t, dst)
	// A non-empty target is refused, and with Force replaced.
	if err := Import(ctx, dst, exp.info, exp.source(""), ImportOptions{}); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("import into a non-empty schema: %v, want ErrNotEmpty", err)
	}
	if err := Import(ctx, dst, exp.info, exp.source(""), ImportOptions{Force: true}); err != nil {
		t.Errorf("forced import: %v", err)
	}
	if got := rowsOf(exportOf(t, dst).info, "objects"); got != objects {
		t.Errorf("after the forced import %d objects, want %d", got, objects)
	}
}

// TestImportWritesNothingOnError: a truncated table or a failed check
// rolls the whole import back.
func TestImportWritesNothingOnError(t *testing.T) {
	ctx := context.Background()
	src := freshSchema(t)
	s := openURL(t, src, Options{})
	benchSetup(t, s)
	if err := s.AppendAudit(ctx, readEntry(3)); err != nil {
		t.Fatal(err)
	}
	exp := exportOf(t, src)
	dst := freshSchema(t)
	if err := Import(ctx, dst, exp.info, exp.source("objects"), ImportOptions{}); err == nil {
		t.Error("import of a cut table: no error")
	}
	boom := errors.New("check failed")
	err := Import(ctx, dst, exp.info, exp.source(""), ImportOptions{Check: func(context.Context, auditlog.LogReader) error { return boom }})
	if !errors.Is(err, boom) {
		t.Errorf("failed check: %v", err)
	}
	c := adminConn(t, dst)
	defer c.Close(ctx)
	var exists bool
	if err := c.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil || exists {
		t.Errorf("the failed imports left tables behind (%v, %v)", exists, err)
	}
	// An export of a newer schema is refused.
	newer := exp.info
	newer.Migrations = append(slices.Clone(newer.Migrations), "9999_future.sql")
	if err := Import(ctx, dst, newer, exp.source(""), ImportOptions{}); !errors.Is(err, ErrSchemaNewer) {
		t.Errorf("newer export: %v, want ErrSchemaNewer", err)
	}
}

func TestMigrateURL(t *testing.T) {
	ctx := context.Background()
	url := freshSchema(t)
	res, err := Migrate(ctx, url, true, nil, nil)
	if err != nil || res.From != 0 || !slices.Equal(res.Migrations, Migrations()) {
		t.Fatalf("dry run on an empty schema: %+v, %v", res, err)
	}
	if names, err := appliedMigrations(ctx, adminConn(t, url)); err != nil || len(names) != 0 {
		t.Fatalf("a dry run applied %v (%v)", names, err)
	}
	res, err = Migrate(ctx, url, false, nil, nil)
	if err != nil || res.To != len(Migrations()) || !slices.Equal(res.Migrations, Migrations()) {
		t.Fatalf("migrate: %+v, %v", res, err)
	}
	if res, err := Migrate(ctx, url, false, nil, nil); err != nil || len(res.Migrations) != 0 {
		t.Fatalf("again: %+v, %v", res, err)
	}
	c := adminConn(t, url)
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, `INSERT INTO schema_migrations VALUES (99, '0099_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	if _, err := Migrate(ctx, url, true, nil, nil); !errors.Is(err, ErrSchemaNewer) {
		t.Errorf("newer schema: %v, want ErrSchemaNewer", err)
	}
	if _, err := OpenAuditLog(ctx, url); !errors.Is(err, ErrSchemaNewer) {
		t.Errorf("OpenAuditLog of a newer schema: %v, want ErrSchemaNewer", err)
	}
}

// waitNoNodes polls until the server has ended the sessions of the nodes
// of url's schema (a closed pool's backends exit asynchronously).
func waitNoNodes(t *testing.T, url string) {
	t.Helper()
	c := adminConn(t, url)
	defer c.Close(context.Background())
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		err := c.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity WHERE application_name = `+nodeAppName).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d node sessions still listed after 30s", n)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition with a deadline
	}
}

// waitRows polls until the store holds n objects.
func waitRows(t *testing.T, s *Store, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var got int
		if err := s.pool.QueryRow(context.Background(), `SELECT count(*) FROM objects`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d objects after 30s", got)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition with a deadline
	}
}
