package charter

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// FuzzLoad checks that the loader never panics, that every error names a
// line of the file, and that every charter it accepts survives show and
// load unchanged.
func FuzzLoad(f *testing.F) {
	f.Add(DefaultYAML())
	f.Add([]byte(minimal))
	f.Add([]byte(minimal + "decisions: {silence: {minimum: 8h}}\n"))
	f.Add([]byte(minimal + "modes:\n  initial: a\n  states:\n    - {name: a, to: [b, zz], actions: [\"*\"]}\n    - {name: b, to: [], actions: [], final: true}\n"))
	f.Add([]byte(minimal + "reminders: &r {percent: [50]}\nconsent: *r\n"))
	f.Add([]byte(minimal + "<<: {version: x}\n"))
	f.Add([]byte("version: [unclosed\n"))
	f.Add([]byte("- a\n- b\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Load("f.yaml", data)
		if err != nil {
			if c != nil {
				t.Fatal("a charter returned with an error")
			}
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("error %T %v is not a non-empty Errors", err, err)
			}
			// YAML breaks lines at \n, \r\n and a lone \r.
			lines := bytes.Count(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), []byte("\n")) +
				bytes.Count(data, []byte("\r")) - bytes.Count(data, []byte("\r\n")) + 1
			for _, e := range es {
				if e.File != "f.yaml" || e.Line < 1 || e.Line > lines || e.Problem == "" {
					t.Fatalf("bad error %+v (file has %d lines)", e, lines)
				}
			}
			return
		}
		out, err := c.Marshal()
		if err != nil {
			t.Fatalf("marshal an accepted charter: %v", err)
		}
		back, err := Load("show.yaml", out)
		if err != nil {
			t.Fatalf("reload shown charter: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(back, c) {
			t.Fatalf("show/load changed the charter\n%s", out)
		}
	})
}

func BenchmarkLoadDefault(b *testing.B) {
	data := DefaultYAML()
	for b.Loop() {
		if _, err := Load(DefaultName, data); err != nil {
			b.Fatal(err)
		}
	}
}
