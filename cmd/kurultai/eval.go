package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/kurultai/kurultai/internal/ew"
	"github.com/kurultai/kurultai/internal/ew/corpus"
	"github.com/kurultai/kurultai/internal/ew/pipeline"
)

const evalUsage = `eval [--format table|json] [--misses] DIR

Scores early warning on a labelled corpus (DIR as data/corpus: one folder
per language of articles and gold.jsonl; see data/corpus/README.md): per
language, precision, recall and F1 of the events found, matched on (type,
date, country) within each article, and the share of matched events whose
source chain is exactly right. --misses also lists every disagreement.`

func runEval(_ context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval", evalUsage, stderr)
	format := fs.String("format", "table", "output `format`: table or json")
	misses := fs.Bool("misses", false, "list every event missed, found wrongly or with a wrong chain")
	dir, help, err := parseTarget(fs, args, "corpus DIR")
	if help || err != nil {
		return err
	}
	if *format != "table" && *format != "json" {
		return fmt.Errorf("eval: --format: %q is not table or json", *format)
	}
	docs, gold, err := corpus.Load(dir)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if len(docs) == 0 {
		return fmt.Errorf("eval: %s: no articles", dir)
	}
	p, err := pipeline.New()
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	r := p.Evaluate(docs, gold)
	if !*misses {
		r.Misses = nil
	}
	if *format == "json" {
		if r.Misses == nil {
			r.Misses = []pipeline.Miss{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(r)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "lang\tarticles\tgold\tfound\ttp\tfp\tfn\tprecision\trecall\tF1\tchains\t")
	row := func(name string, s pipeline.Score) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t\n", name, s.Articles, s.Gold, s.Found,
			s.TP, s.FP, s.FN, s.Precision, s.Recall, s.F1, s.ChainShare)
	}
	for _, l := range ew.Languages {
		if s := r.Languages[l]; s != nil {
			row(string(l), *s)
		}
	}
	row("all", r.Total)
	tw.Flush()
	for _, m := range r.Misses {
		line := fmt.Sprintf("%s %s %s %s %s", m.Kind, m.Article, m.Type, m.Date, m.Country)
		if m.Kind == "chain" {
			line += fmt.Sprintf(": got %s, want %s", strings.Join(m.Got, " < "), strings.Join(m.Want, " < "))
		} else if m.Evidence != "" {
			line += ": " + m.Evidence
		}
		fmt.Fprintln(stdout, line)
	}
	return nil
}
