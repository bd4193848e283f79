package postgres

import (
	"bytes"
	"context"
	"crypto/sha256"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// TestExportLeavesSessionsOut: an export lists web_sessions with no rows,
// and an import of an export that holds sessions (as older ones do)
// leaves the table empty.
func TestExportLeavesSessionsOut(t *testing.T) {
	ctx := context.Background()
	src := freshSchema(t)
	s := openURL(t, src, Options{})
	benchSetup(t, s)
	u, err := s.CreateUser(ctx, kurultai.User{Username: "kz", Participant: "KZ", Role: kurultai.RoleLiaison, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	hash := sha256.Sum256([]byte("session id"))
	p := kurultai.Principal{UserID: u.ID, Username: u.Username, Participant: "KZ", Kind: kurultai.KindMember, Role: kurultai.RoleLiaison}
	if err := s.CreateSession(ctx, kurultai.WebSession{Hash: hash[:], Principal: p, Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	exp := exportOf(t, src)
	if n := rowsOf(exp.info, "web_sessions"); n != 0 {
		t.Errorf("the export counts %d web sessions, want 0", n)
	}
	if bytes.Contains(exp.data["web_sessions"].Bytes(), hash[:]) {
		t.Error("the export holds the session's hash")
	}
	// An older export, with the session's row in it.
	var old bytes.Buffer
	c := adminConn(t, src)
	defer c.Close(ctx)
	tb := exp.info.Tables[indexOfTable(exp.info, "web_sessions")]
	if _, err := c.PgConn().CopyTo(ctx, &old, "COPY web_sessions ("+idents(tb.Columns)+") TO STDOUT (FORMAT binary)"); err != nil {
		t.Fatal(err)
	}
	exp.data["web_sessions"] = &old
	exp.info.Tables[indexOfTable(exp.info, "web_sessions")].Rows = 1
	dst := freshSchema(t)
	if err := Import(ctx, dst, exp.info, exp.source(""), ImportOptions{}); err != nil {
		t.Fatalf("Import: %v", err)
	}
	d := adminConn(t, dst)
	defer d.Close(ctx)
	var n int
	if err := d.QueryRow(ctx, `SELECT count(*) FROM web_sessions`).Scan(&n); err != nil || n != 0 {
		t.Errorf("the restored schema holds %d web sessions (%v), want 0", n, err)
	}
}

func indexOfTable(info ExportInfo, name string) int {
	for i, t := range info.Tables {
		if t.Name == name {
			return i
		}
	}
	panic("no table " + name)
}

// TestImportRefusesPartialExport: an export that leaves a table out is
// refused, even forced over a schema that holds data, which stays.
func TestImportRefusesPartialExport(t *testing.T) {
	ctx := context.Background()
	src := freshSchema(t)
	s := openURL(t, src, Options{})
	benchSetup(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	waitNoNodes(t, src)
	exp := exportOf(t, src)
	part := exp.info
	i := indexOfTable(part, "objects")
	part.Tables = append(slices.Clone(part.Tables[:i]), part.Tables[i+1:]...)
	for _, url := range []string{freshSchema(t), src} {
		err := Import(ctx, url, part, exp.source(""), ImportOptions{Force: true})
		if err == nil || !strings.Contains(err.Error(), "lacks table objects") {
			t.Errorf("import of an export without objects: %v", err)
		}
	}
	if got := rowsOf(exportOf(t, src).info, "objects"); got != rowsOf(exp.info, "objects") || got == 0 {
		t.Errorf("after the refusal %d objects, want %d", got, rowsOf(exp.info, "objects"))
	}
}
