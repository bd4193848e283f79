package main

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// retrigger puts back in dir's database the triggers tamper dropped, as
// from's database has them: a forger would.
func retrigger(t *testing.T, dir, from string) {
	t.Helper()
	src, err := sql.Open("sqlite", filepath.Join(from, "kurultai.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	rows, err := src.Query(`SELECT name, sql FROM sqlite_schema WHERE type = 'trigger'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	db, err := sql.Open("sqlite", filepath.Join(dir, "kurultai.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for rows.Next() {
		var name, text string
		if err := rows.Scan(&name, &text); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name = ?`, name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			mustExec(t, db, text)
		}
	}
}

// TestRestoreRefusesForeignSchema: a SQLite archive whose database holds
// a table, trigger, view or index the migrations do not create, or lacks
// or changes one of theirs, is refused and nothing is written.
func TestRestoreRefusesForeignSchema(t *testing.T) {
	src, _ := auditDataDir(t)
	tests := []struct {
		name string
		fn   func(db *sql.DB)
		want string
	}{
		{"a trigger on audit_log", func(db *sql.DB) {
			mustExec(t, db, `CREATE TRIGGER audit_log_evil AFTER INSERT ON audit_log BEGIN DELETE FROM users; END`)
		}, "trigger audit_log_evil (on audit_log) is not one"},
		{"a table", func(db *sql.DB) { mustExec(t, db, `CREATE TABLE extra (a)`) }, "table extra (on extra) is not one"},
		{"a view", func(db *sql.DB) { mustExec(t, db, `CREATE VIEW v AS SELECT 1`) }, "view v (on v) is not one"},
		{"an index dropped", func(db *sql.DB) { mustExec(t, db, `DROP INDEX web_sessions_user`) }, "index web_sessions_user (on web_sessions) is missing"},
		{"a trigger changed", func(db *sql.DB) {
			mustExec(t, db, `DROP TRIGGER audit_log_no_delete`)
			mustExec(t, db, `CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT 1; END`)
		}, "trigger audit_log_no_delete (on audit_log) differs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bad := copyDir(t, src)
			db, err := sql.Open("sqlite", filepath.Join(bad, "kurultai.db"))
			if err != nil {
				t.Fatal(err)
			}
			tc.fn(db)
			db.Close()
			archive := filepath.Join(t.TempDir(), "bad.kbak")
			if out, err := runOpCmd(t, runBackup, "--data", bad, "--out", archive); err != nil {
				t.Fatalf("backup: %v\n%s", err, out)
			}
			dst := copyDir(t, src)
			before := objectsOf(t, dst)
			out, err := runOpCmd(t, runRestore, "--in", archive, "--data", dst, "--force")
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "nothing restored") {
				t.Fatalf("restore: %v, want an error containing %q\n%s", err, tc.want, out)
			}
			if objectsOf(t, dst) != before {
				t.Error("the refused restore changed the node")
			}
		})
	}
}
