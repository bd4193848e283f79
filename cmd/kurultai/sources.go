package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/sources"
)

const sourcesUsage = `sources add|list|remove --data DIR [flags]

Manages the news sources early warning reads, kept in DIR/sources.json:

  sources add --name NAME --url URL [--lang LANG] [--interval 15m]
      URL is an http or https feed or page, a file:// URL or a local path
      (a file or folder, for air-gapped sites); LANG is the language hint
      (tr az kk ky uz ru ar en hu, or empty for several); the interval is
      at least 1m.
  sources list [--format table|json]
      lists the sources with their health (last success, last error, items)
      as the node's poller last recorded it.
  sources remove --name NAME`

func runSources(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs := newFlagSet("sources", sourcesUsage, stderr)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fs.Usage()
			return nil
		}
		fmt.Fprintln(stderr, "sources: add, list or remove?")
		fs.Usage()
		return errUsage
	}
	switch args[0] {
	case "add":
		return sourcesAdd(args[1:], env, stdout, stderr)
	case "list":
		return sourcesList(ctx, args[1:], env, stdout, stderr)
	case "remove":
		return sourcesRemove(args[1:], env, stdout, stderr)
	}
	fmt.Fprintf(stderr, "sources: unknown action %q (add, list or remove)\n", args[0])
	return errUsage
}

func sourcesAdd(args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sources add", sourcesUsage, stderr)
	data := fs.String("data", dataDefault(env), "data `directory` of the node (env KURULTAI_DATA)")
	name := fs.String("name", "", "the outlet's `name`, as it names itself")
	rawURL := fs.String("url", "", "feed or page `URL`, file:// URL or local path")
	langHint := fs.String("lang", "", "language `hint`, empty when the source publishes in several")
	interval := fs.Duration("interval", sources.DefaultInterval, "polling `interval`, at least 1m")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	src := sources.Source{Name: *name, URL: *rawURL, Lang: ew.Lang(*langHint), Interval: sources.Duration(*interval)}
	if err := src.Validate(); err != nil {
		return fmt.Errorf("sources add: %w", err)
	}
	if !src.Remote() {
		abs, err := filepath.Abs(src.Path())
		if err != nil {
			return fmt.Errorf("sources add: url: %w", err)
		}
		if _, err := os.Stat(abs); err != nil {
			return fmt.Errorf("sources add: url: %s: no such file or folder", abs)
		}
		src.URL = abs
	}
	path, f, err := loadSources(*data)
	if err != nil {
		return err
	}
	for _, s := range f.Sources {
		if s.Name == src.Name {
			return fmt.Errorf("sources add: name: a source named %q exists (remove it first)", src.Name)
		}
	}
	f.Sources = append(f.Sources, src)
	if err := f.Save(path); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "added %s (%s, every %s)\n", src.Name, src.URL, time.Duration(src.Interval))
	return nil
}

func sourcesRemove(args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sources remove", sourcesUsage, stderr)
	data := fs.String("data", dataDefault(env), "data `directory` of the node (env KURULTAI_DATA)")
	name := fs.String("name", "", "`name` of the source to remove")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if *name == "" {
		return fmt.Errorf("sources remove: name: empty")
	}
	path, f, err := loadSources(*data)
	if err != nil {
		return err
	}
	kept := f.Sources[:0]
	for _, s := range f.Sources {
		if s.Name != *name {
			kept = append(kept, s)
		}
	}
	if len(kept) == len(f.Sources) {
		return fmt.Errorf("sources remove: name: no source named %q", *name)
	}
	f.Sources = kept
	if err := f.Save(path); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "removed %s\n", *name)
	return nil
}

// sourceStatus is a source with its health, as list prints it.
type sourceStatus struct {
	sources.Source
	Health *sources.Health `json:"health,omitempty"`
}

func sourcesList(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sources list", sourcesUsage, stderr)
	data := fs.String("data", dataDefault(env), "data `directory` of the node (env KURULTAI_DATA)")
	format := fs.String("format", "table", "output `format`: table or json")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if *format != "table" && *format != "json" {
		return fmt.Errorf("sources list: --format: %q is not table or json", *format)
	}
	_, f, err := loadSources(*data)
	if err != nil {
		return err
	}
	hs, err := sources.NewFileHealth(filepath.Join(*data, sources.HealthFileName))
	if err != nil {
		return err
	}
	health, err := hs.LoadHealth(ctx)
	if err != nil {
		return err
	}
	list := make([]sourceStatus, 0, len(f.Sources))
	for _, s := range f.Sources {
		st := sourceStatus{Source: s}
		if h, ok := health[s.Name]; ok {
			st.Health = &h
		}
		list = append(list, st)
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(list)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tLANG\tINTERVAL\tURL\tLAST SUCCESS\tITEMS\tLAST ERROR")
	for _, s := range list {
		lang, ok, items, lastErr := "-", "never", "0", ""
		if s.Lang != "" {
			lang = string(s.Lang)
		}
		if h := s.Health; h != nil {
			if !h.LastSuccess.IsZero() {
				ok = h.LastSuccess.UTC().Format(time.RFC3339)
			}
			items = fmt.Sprint(h.Items)
			if h.LastError != "" {
				lastErr = fmt.Sprintf("%s (%s, %d failing)", h.LastError, h.LastErrorAt.UTC().Format(time.RFC3339), h.Failures)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, lang, time.Duration(s.Interval), s.URL, ok, items, lastErr)
	}
	return tw.Flush()
}

// loadSources reads DIR/sources.json (an empty list when there is none),
// creating DIR if needed.
func loadSources(dir string) (string, sources.File, error) {
	if dir == "" {
		return "", sources.File{}, fmt.Errorf("sources: --data: empty")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", sources.File{}, fmt.Errorf("sources: --data: %w", err)
	}
	path := filepath.Join(dir, sources.FileName)
	f, err := sources.LoadFile(path)
	return path, f, err
}
