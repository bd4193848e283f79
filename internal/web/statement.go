package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// statementData is a draft with its versions, the diff of each version
// against the one before, and its silence procedures.
type statementData struct {
	St       *crisis.State
	Draft    *crisis.Draft
	Latest   *crisis.StatementDraft
	Versions []versionView
	Silences []silenceView
	Actions  map[string]*avail
	Form     *formState
}

type versionView struct {
	N    int
	V    *crisis.StatementDraft
	Diff []diffOp // against the version before; nil for the first
}

type silenceView struct {
	S       *crisis.SilenceState
	Version int // the number of the version under silence
	Members []memberStatus
}

// memberStatus is where one member stands in a silence procedure.
type memberStatus struct {
	Code, Name string
	Status     string // silent, objection, amendment, late
	At         time.Time
	Text       string
}

// statement renders a draft statement.
func (s *Server) statement(w http.ResponseWriter, r *http.Request, rq *request) error {
	return s.renderStatement(w, r, rq, http.StatusOK, s.draftForm(rq, r))
}

func (s *Server) renderStatement(w http.ResponseWriter, r *http.Request, rq *request, status int, form *formState) error {
	st, err := s.loadSituation(r, rq)
	if err != nil {
		return err
	}
	dr := st.Draft(r.PathValue("draft"))
	if dr == nil {
		return kurultai.Errorf(kurultai.CodeNotFound, "no such draft")
	}
	d := statementData{St: st, Draft: dr, Latest: dr.Latest(), Actions: available(s.m, st, rq.p, rq.now), Form: form}
	for i, v := range dr.Versions {
		vv := versionView{N: i + 1, V: v}
		if i > 0 {
			vv.Diff = diffWords(dr.Versions[i-1].Text, v.Text)
		}
		d.Versions = append(d.Versions, vv)
	}
	slices.Reverse(d.Versions) // newest first
	for _, sp := range st.Silences {
		if sp.DraftRef != dr.ID {
			continue
		}
		sv := silenceView{S: sp}
		for i, v := range dr.Versions {
			if v.Version == sp.DraftVersion {
				sv.Version = i + 1
			}
		}
		for _, p := range s.m.Charter.Participants {
			if p.Kind != kurultai.KindMember {
				continue
			}
			ms := memberStatus{Code: p.Code, Name: p.Name, Status: "silent"}
			for _, b := range sp.Breaks {
				if b.By == p.Code {
					ms.Status, ms.At, ms.Text = b.BreakKind, b.Created, b.Text
				}
			}
			if ms.Status == "silent" {
				for _, b := range sp.Late {
					if b.By == p.Code {
						ms.Status, ms.At, ms.Text = "late", b.Created, b.Text
					}
				}
			}
			sv.Members = append(sv.Members, ms)
		}
		d.Silences = append(d.Silences, sv)
	}
	return s.render(w, r, rq, status, "statement", d.Latest.Title, "desk", d)
}

// diffOp is a run of words kept, added or removed.
type diffOp struct {
	Op   string // " ", "+", "-"
	Text string
}

// maxDiffCells bounds the work of a diff; longer texts are shown as
// replaced whole.
const maxDiffCells = 4_000_000

// diffWords compares two texts word by word (longest common subsequence).
func diffWords(a, b string) []diffOp {
	x, y := strings.Fields(a), strings.Fields(b)
	if len(x)*len(y) > maxDiffCells {
		return []diffOp{{"-", a}, {"+", b}}
	}
	// lcs[i][j] is the LCS length of x[i:] and y[j:], in one slice.
	w := len(y) + 1
	lcs := make([]int32, (len(x)+1)*w)
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	var ops []diffOp
	emit := func(op string, word string) {
		if n := len(ops); n > 0 && ops[n-1].Op == op {
			ops[n-1].Text += " " + word
			return
		}
		ops = append(ops, diffOp{op, word})
	}
	i, j := 0, 0
	for i < len(x) && j < len(y) {
		switch {
		case x[i] == y[j]:
			emit(" ", x[i])
			i, j = i+1, j+1
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			emit("-", x[i])
			i++
		default:
			emit("+", y[j])
			j++
		}
	}
	for ; i < len(x); i++ {
		emit("-", x[i])
	}
	for ; j < len(y); j++ {
		emit("+", y[j])
	}
	return ops
}
