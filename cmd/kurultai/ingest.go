package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/pipeline"
	"github.com/kurultai/kurultai/internal/ew/sources"
)

const ingestUsage = `ingest [--format table|json] [--lang LANG] [--source NAME] FILE|DIR|URL

Reads news and prints the crisis events early warning finds in it. FILE or
DIR may hold corpus-format .txt files, .html pages, .xml/.rss/.atom feeds
and .json (JSON Feed or article JSON); a DIR is read with its subfolders.
A URL (http or https) is fetched once, as a feed or an article page, within
the usual size, time and redirect limits. Near-duplicate articles are read
once. With --format json, each event is one JSON object per line: type,
cameo, date (YYYY-MM-DD or null), country, place, actors, attribution
(nearest first), language, evidence and more.`

func runIngest(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("ingest", ingestUsage, stderr)
	format := fs.String("format", "table", "output `format`: table or json")
	langHint := fs.String("lang", "", "language `hint` for text that does not say (tr az kk ky uz ru ar en hu)")
	name := fs.String("source", "", "publisher `name` for text that does not say (default: the feed's title or the host)")
	target, help, err := parseTarget(fs, args, "FILE, DIR or URL")
	if help || err != nil {
		return err
	}
	if *format != "table" && *format != "json" {
		return fmt.Errorf("ingest: --format: %q is not table or json", *format)
	}
	l := ew.Lang(*langHint)
	if l != ew.Unknown && !l.Valid() {
		return fmt.Errorf("ingest: --lang: %q is not one of %v", l, ew.Languages)
	}
	arts, readErr := readInput(ctx, target, sources.Source{Name: *name, URL: target, Lang: l})
	if len(arts) == 0 && readErr != nil {
		return fmt.Errorf("ingest: %w", readErr)
	}
	p, err := pipeline.New()
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	dedup := pipeline.NewDedup(10000, pipeline.DefaultMinSimilarity)
	var recs []pipeline.Record
	for i, a := range arts {
		key := a.URL
		if key == "" {
			key = fmt.Sprintf("article %d", i+1)
		}
		if dup, ok := dedup.Add(key, pipeline.NewSketch(a.Title+"\n"+a.Text)); ok {
			fmt.Fprintf(stderr, "ingest: %s: near-duplicate of %s, skipped\n", key, dup)
			continue
		}
		for _, e := range p.Process(a) {
			recs = append(recs, pipeline.NewRecord(e, a))
		}
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		for _, r := range recs {
			if err := enc.Encode(r); err != nil {
				return fmt.Errorf("ingest: %w", err)
			}
		}
	} else {
		printEvents(stdout, recs, len(arts))
	}
	if readErr != nil {
		for _, e := range strings.Split(readErr.Error(), "\n") {
			fmt.Fprintf(stderr, "ingest: %s\n", e)
		}
		return errors.New("ingest: some input could not be read")
	}
	return nil
}

// readInput reads the articles of a URL, file or folder.
func readInput(ctx context.Context, target string, src sources.Source) ([]ew.Article, error) {
	if !src.Remote() {
		return sources.ReadPath(src.Path(), src, 0)
	}
	if src.Name == "" {
		if u, err := url.Parse(target); err == nil {
			src.Name = u.Hostname()
		}
	}
	res, err := sources.NewFetcher(sources.DefaultLimits(), nil).Fetch(ctx, src, "", "")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", target, err)
	}
	return res.Articles, nil
}

func printEvents(w io.Writer, recs []pipeline.Record, articles int) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DATE\tTYPE\tCAMEO\tCOUNTRY\tPLACE\tLANG\tCONF\tATTRIBUTION\tEVIDENCE")
	for _, r := range recs {
		date, cc := "-", "-"
		if r.Date != nil {
			date = *r.Date
		}
		if r.Country != nil {
			cc = *r.Country
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%s\t%s\n", date, r.Type, r.CAMEO, cc, r.Place, r.Language,
			r.Confidence, strings.Join(r.Attribution, " < "), clip(r.Evidence, 70))
	}
	tw.Flush()
	fmt.Fprintf(w, "%d events in %d articles\n", len(recs), articles)
}

// clip shortens s to at most n runes, marking the cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// parseTarget parses flags around exactly one positional argument (flags
// may come before or after it), which it returns; what names it in the
// usage error.
func parseTarget(fs *flag.FlagSet, args []string, what string) (string, bool, error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", true, nil
		}
		return "", false, errUsage
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(fs.Output(), "which %s?\n", what)
		fs.Usage()
		return "", false, errUsage
	}
	target := fs.Arg(0)
	help, err := parse(fs, fs.Args()[1:])
	return target, help, err
}
