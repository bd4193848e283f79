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

// readKeysArchive extracts a keys archive written by writeKeysArchive into
// dataDir. It accepts only regular files and directories under the key
// directories, refuses to replace an existing file unless force, and
// checks the whole archive before it writes anything; with check it
// writes nothing at all.
func readKeysArchive(in, dataDir string, force, check bool) (int, error) {
	f, err := os.Open(in)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	type file struct {
		name string
		data []byte
	}
	var files []file
	var dirs []string
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("%s: %w", in, err)
		}
		name := path.Clean(hdr.Name)
		if !keyPath(name) {
			return 0, fmt.Errorf("%s: entry %q is not under %s", in, hdr.Name, strings.Join(keyDirs, " or "))
		}
		switch hdr.Typeflag {
		case tar.TypeDir:
			dirs = append(dirs, name)
		case tar.TypeReg:
			if hdr.Size > maxKeyFileSize || len(files) >= maxKeyFiles {
				return 0, fmt.Errorf("%s: entry %q: too large, or too many files", in, hdr.Name)
			}
			data, err := io.ReadAll(io.LimitReader(tr, maxKeyFileSize))
			if err != nil {
				return 0, fmt.Errorf("%s: entry %q: %w", in, hdr.Name, err)
			}
			dst := filepath.Join(dataDir, filepath.FromSlash(name))
			if _, err := os.Lstat(dst); err == nil && !force {
				return 0, fmt.Errorf("%s exists; give --force to replace the node's keys", dst)
			}
			files = append(files, file{name, data})
		default:
			return 0, fmt.Errorf("%s: entry %q: only files and directories are allowed", in, hdr.Name)
		}
	}
	if check {
		return len(files), nil
	}
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(dataDir, filepath.FromSlash(d)), 0o700); err != nil {
			return 0, err
		}
	}
	for _, fl := range files {
		dst := filepath.Join(dataDir, filepath.FromSlash(fl.name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return 0, err
		}
		err := writeAtomic(dst, func(f *os.File) error { _, err := f.Write(fl.data); return err })
		if err != nil {
			return 0, err
		}
	}
	return len(files), nil
}

// keyPath reports whether a cleaned slash path lies inside a key directory.
func keyPath(name string) bool {
	if path.IsAbs(name) || name == "." || strings.HasPrefix(name, "../") || name == ".." {
		return false
	}
	for _, d := range keyDirs {
		if name == d || strings.HasPrefix(name, d+"/") {
			return true
		}
	}
	return false
}
