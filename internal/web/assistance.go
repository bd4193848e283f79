package web

import (
	"net/http"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// boardData is the assistance board or the meetings page of a situation.
type boardData struct {
	St      *crisis.State
	Actions map[string]*avail
	Form    *formState
	Members []charter.Participant
	Levels  []charter.Level
	Rows    []int // the item rows of a form
	// Buttons are the one-click actions on each request or offer (by id).
	Buttons map[string][]button
}

// button is a one-click assistance action: on a request or offer, or on
// one of its pledges.
type button struct {
	Action string
	Pledge string
}

func (s *Server) board(r *http.Request, rq *request, form *formState) (boardData, error) {
	st, err := s.loadSituation(r, rq)
	if err != nil {
		return boardData{}, err
	}
	d := boardData{St: st, Actions: available(s.m, st, rq.p, rq.now), Form: form, Levels: s.m.Charter.Meetings.Levels}
	for _, p := range s.m.Charter.Participants {
		if p.Kind == kurultai.KindMember {
			d.Members = append(d.Members, p)
		}
	}
	d.Buttons = map[string][]button{}
	for _, as := range st.Assistance {
		for _, act := range []charter.Action{charter.ActAcceptAssistance, charter.ActMarkDelivered, charter.ActCancelAssistance, charter.ActCloseAssistance} {
			a := d.Actions[string(act)]
			if a.Has(as.ID) && a != nil {
				d.Buttons[as.ID] = append(d.Buttons[as.ID], button{Action: string(act)})
			}
			for _, p := range as.Pledges {
				if a != nil && a.Has(p.ID) {
					d.Buttons[as.ID] = append(d.Buttons[as.ID], button{Action: string(act), Pledge: p.ID})
				}
			}
		}
	}
	for i := range maxItems {
		d.Rows = append(d.Rows, i)
	}
	return d, nil
}

// assistance renders the assistance board: requests and offers, their
// items with the totals pledged and delivered, and every answer.
func (s *Server) assistance(w http.ResponseWriter, r *http.Request, rq *request) error {
	return s.renderAssistance(w, r, rq, http.StatusOK, s.draftForm(rq, r))
}

func (s *Server) renderAssistance(w http.ResponseWriter, r *http.Request, rq *request, status int, form *formState) error {
	d, err := s.board(r, rq, form)
	if err != nil {
		return err
	}
	return s.render(w, r, rq, status, "assistance", rq.l.T("assist.title")+": "+d.St.Situation.Title, "desk", d)
}

// meetings renders the meetings of a situation: level, start, invitees,
// attendance, quorum and outcome.
func (s *Server) meetings(w http.ResponseWriter, r *http.Request, rq *request) error {
	return s.renderMeetings(w, r, rq, http.StatusOK, s.draftForm(rq, r))
}

func (s *Server) renderMeetings(w http.ResponseWriter, r *http.Request, rq *request, status int, form *formState) error {
	d, err := s.board(r, rq, form)
	if err != nil {
		return err
	}
	return s.render(w, r, rq, status, "meetings", rq.l.T("meet.title")+": "+d.St.Situation.Title, "desk", d)
}
