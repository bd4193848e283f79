package main

// The backup archive: one file for either store, written by 'kurultai
// backup' and read by 'kurultai restore'.
//
//	magic     "KURULTAI BACKUP\n" (16 bytes)
//	header    uint32 big-endian length (at most maxHeader), then that
//	          much JSON: archiveHeader
//	sections  one per name in header.Sections, in that order; each a run
//	          of frames (uint32 big-endian length, 1..maxFrame, then the
//	          bytes) ended by a frame of length 0
//	trailer   "END\n" and the SHA-256 of every byte before it (32 bytes),
//	          and nothing after
//
// Frames let the writer stream a table whose size it does not know in
// advance; the checksum at the end catches a corrupted or truncated file.
// A reader hands out section bodies as it reads, so whoever consumes them
// must keep what it writes invisible (a temporary file, a transaction)
// until finish has checked the trailer.

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	byteorder "encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"regexp"
	"time"
)

const (
	archiveMagic   = "KURULTAI BACKUP\n"
	archiveEnd     = "END\n"
	archiveFormat  = 1
	maxHeader      = 1 << 20
	maxFrame       = 4 << 20
	maxSections    = 1000
	writeFrameSize = 1 << 20
)

// archiveHeader says what an archive holds. Row counts are those of the
// snapshot; restore checks them.
type archiveHeader struct {
	Format        int            `json:"format"`
	Store         string         `json:"store"` // "sqlite" or "postgres"
	Created       time.Time      `json:"created"`
	SchemaVersion int            `json:"schema_version"`
	Migrations    []string       `json:"migrations"`
	Tables        []archiveTable `json:"tables"`
	// Sections names the sections in order: "database" (the SQLite
	// file) for SQLite, the tables for PostgreSQL.
	Sections []string `json:"sections"`
}

// archiveTable is one table of the snapshot.
type archiveTable struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns,omitempty"` // PostgreSQL: the columns copied, in order
	Rows    int64    `json:"rows"`
}

const (
	storeSQLite   = "sqlite"
	storePostgres = "postgres"
	// sqliteSection is the one section of a SQLite archive.
	sqliteSection = "database"
)

// identRE is what a table or column name may be: names end up in SQL.
var identRE = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// validate checks a header read from an archive, naming the field at fault.
func (h *archiveHeader) validate() error {
	switch {
	case h.Format != archiveFormat:
		return fmt.Errorf("header: format: %d is not a format this binary reads (%d)", h.Format, archiveFormat)
	case h.Store != storeSQLite && h.Store != storePostgres:
		return fmt.Errorf("header: store: %q is neither %q nor %q", h.Store, storeSQLite, storePostgres)
	case h.SchemaVersion < 1 || h.SchemaVersion != len(h.Migrations):
		return fmt.Errorf("header: schema_version: %d does not match the %d migrations listed", h.SchemaVersion, len(h.Migrations))
	case len(h.Sections) == 0 || len(h.Sections) > maxSections:
		return fmt.Errorf("header: sections: %d sections (want 1 to %d)", len(h.Sections), maxSections)
	case len(h.Tables) > maxSections:
		return fmt.Errorf("header: tables: %d tables (at most %d)", len(h.Tables), maxSections)
	}
	tables := map[string]bool{}
	for i, t := range h.Tables {
		if !identRE.MatchString(t.Name) || tables[t.Name] {
			return fmt.Errorf("header: tables[%d]: name %q is not a table name, or repeated", i, t.Name)
		}
		tables[t.Name] = true
		if t.Rows < 0 {
			return fmt.Errorf("header: tables[%d] (%s): rows: %d", i, t.Name, t.Rows)
		}
		for _, c := range t.Columns {
			if !identRE.MatchString(c) {
				return fmt.Errorf("header: tables[%d] (%s): column %q is not a column name", i, t.Name, c)
			}
		}
		if h.Store == storePostgres && len(t.Columns) == 0 {
			return fmt.Errorf("header: tables[%d] (%s): columns: none", i, t.Name)
		}
	}
	seen := map[string]bool{}
	for i, s := range h.Sections {
		if seen[s] {
			return fmt.Errorf("header: sections[%d]: %q repeated", i, s)
		}
		seen[s] = true
		switch {
		case h.Store == storeSQLite && s != sqliteSection:
			return fmt.Errorf("header: sections[%d]: %q in a SQLite archive (want %q only)", i, s, sqliteSection)
		case h.Store == storePostgres && !tables[s]:
			return fmt.Errorf("header: sections[%d]: %q is not a listed table", i, s)
		}
	}
	if h.Store == storePostgres && len(h.Sections) != len(h.Tables) {
		return fmt.Errorf("header: sections: %d sections for %d tables", len(h.Sections), len(h.Tables))
	}
	return nil
}

// table returns the header's entry for the table.
func (h *archiveHeader) table(name string) (archiveTable, bool) {
	for _, t := range h.Tables {
		if t.Name == name {
			return t, true
		}
	}
	return archiveTable{}, false
}

// archiveWriter writes an archive: newArchiveWriter writes the header,
// section returns a writer for the next section, finish the trailer.
type archiveWriter struct {
	w    *bufio.Writer
	sum  hash.Hash
	out  io.Writer // w and sum
	buf  []byte    // the frame being filled
	open bool      // a section is open
	n    int       // sections written
	h    archiveHeader
}

func newArchiveWriter(w io.Writer, h archiveHeader) (*archiveWriter, error) {
	if err := h.validate(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	hdr, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("backup: header: %w", err)
	}
	if len(hdr) > maxHeader {
		return nil, fmt.Errorf("backup: header of %d bytes is over the limit of %d", len(hdr), maxHeader)
	}
	a := &archiveWriter{w: bufio.NewWriterSize(w, 1<<16), sum: sha256.New(), h: h}
	a.out = io.MultiWriter(a.w, a.sum)
	if _, err := io.WriteString(a.out, archiveMagic); err != nil {
		return nil, err
	}
	if err := a.frame(hdr); err != nil {
		return nil, err
	}
	return a, nil
}

// frame writes a length and the bytes.
func (a *archiveWriter) frame(p []byte) error {
	var n [4]byte
	byteorder.BigEndian.PutUint32(n[:], uint32(len(p)))
	if _, err := a.out.Write(n[:]); err != nil {
		return err
	}
	_, err := a.out.Write(p)
	return err
}

// section starts the next section; the caller writes its body and closes
// the writer.
func (a *archiveWriter) section() (io.WriteCloser, error) {
	if a.open || a.n >= len(a.h.Sections) {
		return nil, errors.New("backup: no section left to write")
	}
	a.open = true
	a.buf = a.buf[:0]
	return sectionWriter{a}, nil
}

type sectionWriter struct{ a *archiveWriter }

func (s sectionWriter) Write(p []byte) (int, error) {
	a := s.a
	n := len(p)
	for len(p) > 0 {
		if a.buf == nil {
			a.buf = make([]byte, 0, writeFrameSize)
		}
		k := min(len(p), writeFrameSize-len(a.buf))
		a.buf = append(a.buf, p[:k]...)
		p = p[k:]
		if len(a.buf) == writeFrameSize {
			if err := a.frame(a.buf); err != nil {
				return 0, err
			}
			a.buf = a.buf[:0]
		}
	}
	return n, nil
}

func (s sectionWriter) Close() error {
	a := s.a
	if len(a.buf) > 0 {
		if err := a.frame(a.buf); err != nil {
			return err
		}
		a.buf = a.buf[:0]
	}
	a.open = false
	a.n++
	return a.frame(nil)
}

// finish writes the trailer and flushes.
func (a *archiveWriter) finish() error {
	if a.open || a.n != len(a.h.Sections) {
		return fmt.Errorf("backup: %d of %d sections written", a.n, len(a.h.Sections))
	}
	if _, err := io.WriteString(a.out, archiveEnd); err != nil {
		return err
	}
	if _, err := a.w.Write(a.sum.Sum(nil)); err != nil {
		return err
	}
	return a.w.Flush()
}

// archiveReader reads an archive written by archiveWriter. Errors name
// the byte offset and the section where the file went wrong.
type archiveReader struct {
	r       *bufio.Reader
	sum     hash.Hash
	off     int64 // bytes consumed
	header  archiveHeader
	next    int    // index of the next section
	cur     string // the section being read; "" between sections
	left    int    // bytes left in the current frame
	done    bool   // the current section's end frame was read
	scratch [4]byte
	// finished and finishErr keep finish's outcome: it reads the
	// trailer once.
	finished  bool
	finishErr error
}

// errCorrupt marks an archive that is not what its writer wrote.
var errCorrupt = errors.New("archive is damaged")

func (a *archiveReader) corrupt(format string, args ...any) error {
	where := ""
	if a.cur != "" {
		where = " (section " + a.cur + ")"
	}
	return fmt.Errorf("%w: at byte %d%s: %s", errCorrupt, a.off, where, fmt.Sprintf(format, args...))
}

// read fills p from the archive, hashing what it reads.
func (a *archiveReader) read(p []byte) error {
	n, err := io.ReadFull(a.r, p)
	a.sum.Write(p[:n])
	a.off += int64(n)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return a.corrupt("the file ends early (truncated)")
	}
	return err
}

func (a *archiveReader) length() (int, error) {
	if err := a.read(a.scratch[:]); err != nil {
		return 0, err
	}
	return int(byteorder.BigEndian.Uint32(a.scratch[:])), nil
}

// openArchive reads and checks the magic and the header.
func openArchive(r io.Reader) (*archiveReader, error) {
	a := &archiveReader{r: bufio.NewReaderSize(r, 1<<16), sum: sha256.New()}
	magic := make([]byte, len(archiveMagic))
	if err := a.read(magic); err != nil {
		return nil, fmt.Errorf("%w: not a Kurultai backup (too short)", errCorrupt)
	}
	if string(magic) != archiveMagic {
		return nil, fmt.Errorf("%w: not a Kurultai backup (no %q at the start)", errCorrupt, archiveMagic[:len(archiveMagic)-1])
	}
	n, err := a.length()
	if err != nil {
		return nil, err
	}
	if n == 0 || n > maxHeader {
		return nil, a.corrupt("header length %d (want 1 to %d)", n, maxHeader)
	}
	hdr := make([]byte, n)
	if err := a.read(hdr); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(hdr))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a.header); err != nil {
		return nil, a.corrupt("header: %v", err)
	}
	if err := a.header.validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", errCorrupt, err)
	}
	return a, nil
}

// nextSection returns the name and body of the next section. The body
// must be read to its end (io.EOF) before the next call.
func (a *archiveReader) nextSection() (string, io.Reader, error) {
	if a.cur != "" && !a.done {
		return "", nil, fmt.Errorf("restore: section %s not read to its end", a.cur)
	}
	if a.next >= len(a.header.Sections) {
		return "", nil, io.EOF
	}
	a.cur, a.left, a.done = a.header.Sections[a.next], 0, false
	a.next++
	return a.cur, sectionReader{a}, nil
}

type sectionReader struct{ a *archiveReader }

func (s sectionReader) Read(p []byte) (int, error) {
	a := s.a
	if a.done {
		return 0, io.EOF
	}
	if a.left == 0 {
		n, err := a.length()
		if err != nil {
			return 0, err
		}
		if n > maxFrame {
			return 0, a.corrupt("frame length %d over the limit of %d", n, maxFrame)
		}
		if n == 0 {
			a.done = true
			return 0, io.EOF
		}
		a.left = n
	}
	if len(p) == 0 {
		return 0, nil
	}
	p = p[:min(len(p), a.left)]
	if err := a.read(p); err != nil {
		return 0, err
	}
	a.left -= len(p)
	return len(p), nil
}

// finish reads whatever sections remain (discarding them), then the
// trailer, and checks the checksum and that nothing follows. Nothing read
// from the archive may be kept unless finish returns nil. Later calls
// return the first call's outcome.
func (a *archiveReader) finish() error {
	if !a.finished {
		a.finished, a.finishErr = true, a.readTrailer()
	}
	return a.finishErr
}

func (a *archiveReader) readTrailer() error {
	if a.cur != "" && !a.done {
		if _, err := io.Copy(io.Discard, sectionReader{a}); err != nil {
			return err
		}
	}
	for {
		_, body, err := a.nextSection()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if _, err := io.Copy(io.Discard, body); err != nil {
			return err
		}
	}
	a.cur = ""
	end := make([]byte, len(archiveEnd))
	if err := a.read(end); err != nil {
		return err
	}
	if string(end) != archiveEnd {
		return a.corrupt("no end marker after the last section")
	}
	want := a.sum.Sum(nil)
	got := make([]byte, sha256.Size)
	if n, err := io.ReadFull(a.r, got); err != nil {
		return fmt.Errorf("%w: at byte %d: the file ends early (truncated) in the checksum (%d of %d bytes)", errCorrupt, a.off+int64(n), n, sha256.Size)
	}
	a.off += sha256.Size
	if !bytes.Equal(got, want) {
		return fmt.Errorf("%w: checksum mismatch: the file records SHA-256 %s but its content hashes to %s", errCorrupt, hex.EncodeToString(got), hex.EncodeToString(want))
	}
	if n, _ := io.Copy(io.Discard, io.LimitReader(a.r, 1)); n > 0 {
		return fmt.Errorf("%w: at byte %d: data after the checksum", errCorrupt, a.off)
	}
	return nil
}
