package main

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// keyDirs are the directories of DATA holding private keys: the signing
// keyring and the node's federation TLS key and certificate.
var keyDirs = []string{"keys", "federation/tls"}

const (
	maxKeyFiles    = 1000
	maxKeyFileSize = 1 << 20
)

// writeKeysArchive writes the files of DATA's key directories to a tar at
// path, mode 0600, and returns how many.
func writeKeysArchive(dataDir, out string) (int, error) {
	n := 0
	err := writeAtomic(out, func(f *os.File) error {
		tw := tar.NewWriter(f)
		for _, d := range keyDirs {
			root := filepath.Join(dataDir, filepath.FromSlash(d))
			err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				rel, err := filepath.Rel(dataDir, p)
				if err != nil {
					return err
				}
				name := filepath.ToSlash(rel)
				hdr := &tar.Header{Name: name + "/", Typeflag: tar.TypeDir, Mode: 0o700, ModTime: time.Now()}
				var data []byte
				switch {
				case e.IsDir():
				case e.Type().IsRegular():
					if data, err = os.ReadFile(p); err != nil {
						return err
					}
					hdr = &tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o600, Size: int64(len(data)), ModTime: time.Now()}
					n++
				default:
					return nil // no links or devices
				}
				if err := tw.WriteHeader(hdr); err != nil {
					return err
				}
				_, err = tw.Write(data)
				return err
			})
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
		if n == 0 {
			return fmt.Errorf("no key files in %s (%s)", dataDir, strings.Join(keyDirs, ", "))
		}
		return tw.Close()
	})
	return n, err
}

// readKeysArchive restores a keys archive written by writeKeysArchive into
// dataDir. Directories may be a key directory or lie under one; files
// must lie strictly under one; links, devices, repeated names and more
// than maxKeyFiles entries are refused. A key directory the archive holds
// replaces DIR's whole (refused, unless force, where DIR's holds
// anything): the files are written to a temporary directory in dataDir,
// then each key directory is renamed into place, so that a failure leaves
// the old keys, never a mix. With check nothing is written.
func readKeysArchive(in, dataDir string, force, check bool) (int, error) {
	files, dirs, err := parseKeysArchive(in)
	if err != nil {
		return 0, err
	}
	var roots []string // the key directories the archive holds
	for _, d := range keyDirs {
		if slices.ContainsFunc(dirs, func(n string) bool { return keyRoot(n) == d }) ||
			slices.ContainsFunc(files, func(f keyFile) bool { return keyRoot(f.name) == d }) {
			roots = append(roots, d)
		}
	}
	for _, d := range roots {
		dst := filepath.Join(dataDir, filepath.FromSlash(d))
		if !force && !emptyDir(dst) {
			return 0, fmt.Errorf("%s exists; give --force to replace the node's keys", dst)
		}
	}
	if check {
		return len(files), nil
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return 0, err
	}
	stage, err := os.MkdirTemp(dataDir, ".keys-restore-*")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(stage)
	for _, d := range append(slices.Clone(roots), dirs...) {
		if err := os.MkdirAll(filepath.Join(stage, filepath.FromSlash(d)), 0o700); err != nil {
			return 0, fmt.Errorf("%s: directory %s: %w", in, d, err)
		}
	}
	for _, fl := range files {
		dst := filepath.Join(stage, filepath.FromSlash(fl.name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return 0, fmt.Errorf("%s: entry %s: %w", in, fl.name, err)
		}
		if err := writeAtomic(dst, func(f *os.File) error { _, err := f.Write(fl.data); return err }); err != nil {
			return 0, fmt.Errorf("%s: entry %s: %w", in, fl.name, err)
		}
	}
	return len(files), swapKeyDirs(dataDir, stage, roots)
}

// swapKeyDirs renames each of roots from stage into dataDir, the old one
// (if any) moved into stage first; on failure it puts back the old ones.
func swapKeyDirs(dataDir, stage string, roots []string) error {
	type move struct{ from, to string }
	var done []move
	undo := func() {
		for i := len(done) - 1; i >= 0; i-- {
			os.Rename(done[i].to, done[i].from)
		}
	}
	for i, d := range roots {
		dst := filepath.Join(dataDir, filepath.FromSlash(d))
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			undo()
			return err
		}
		old := filepath.Join(stage, fmt.Sprintf("old-%d", i))
		if _, err := os.Lstat(dst); err == nil {
			if err := os.Rename(dst, old); err != nil {
				undo()
				return fmt.Errorf("replace %s: %w", dst, err)
			}
			done = append(done, move{dst, old})
		}
		if err := os.Rename(filepath.Join(stage, filepath.FromSlash(d)), dst); err != nil {
			undo()
			return fmt.Errorf("install %s: %w", dst, err)
		}
		done = append(done, move{filepath.Join(stage, filepath.FromSlash(d)), dst})
		if err := syncDir(filepath.Dir(dst)); err != nil {
			undo()
			return err
		}
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// emptyDir reports whether path does not exist or is an empty directory.
func emptyDir(path string) bool {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return true
	}
	if err != nil || !fi.IsDir() {
		return false
	}
	es, err := os.ReadDir(path)
	return err == nil && len(es) == 0
}

type keyFile struct {
	name string
	data []byte
}

// parseKeysArchive reads and checks every entry of a keys archive.
func parseKeysArchive(in string) (files []keyFile, dirs []string, err error) {
	f, err := os.Open(in)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	seen := map[string]bool{}
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", in, err)
		}
		if len(seen) >= maxKeyFiles {
			return nil, nil, fmt.Errorf("%s: more than %d entries", in, maxKeyFiles)
		}
		name := path.Clean(hdr.Name)
		root := keyRoot(name)
		if root == "" {
			return nil, nil, fmt.Errorf("%s: entry %q is not under %s/", in, hdr.Name, strings.Join(keyDirs, "/ or "))
		}
		if seen[name] {
			return nil, nil, fmt.Errorf("%s: entry %q repeated", in, hdr.Name)
		}
		seen[name] = true
		switch hdr.Typeflag {
		case tar.TypeDir:
			dirs = append(dirs, name)
		case tar.TypeReg:
			if name == root {
				return nil, nil, fmt.Errorf("%s: entry %q: a file where the directory %s/ must be", in, hdr.Name, root)
			}
			if hdr.Size > maxKeyFileSize {
				return nil, nil, fmt.Errorf("%s: entry %q: over %d bytes", in, hdr.Name, maxKeyFileSize)
			}
			data, err := io.ReadAll(io.LimitReader(tr, maxKeyFileSize))
			if err != nil {
				return nil, nil, fmt.Errorf("%s: entry %q: %w", in, hdr.Name, err)
			}
			files = append(files, keyFile{name, data})
		default:
			return nil, nil, fmt.Errorf("%s: entry %q: only files and directories are allowed", in, hdr.Name)
		}
	}
	return files, dirs, nil
}

// keyRoot returns the key directory a cleaned slash path is, or lies
// under; "" for any other path.
func keyRoot(name string) string {
	if path.IsAbs(name) || name == "." || name == ".." || strings.HasPrefix(name, "../") {
		return ""
	}
	for _, d := range keyDirs {
		if name == d || strings.HasPrefix(name, d+"/") {
			return d
		}
	}
	return ""
}
