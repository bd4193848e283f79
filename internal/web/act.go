package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// maxForm bounds a posted form: the largest draft (64 KiB) with room.
const maxForm = 256 << 10

// act takes an action from a form of the situation room, the statement,
// assistance or meetings page. A refusal shows the same page again with
// the message beside the form and what the user typed kept.
func (s *Server) act(w http.ResponseWriter, r *http.Request, rq *request) error {
	name, sit := r.PathValue("action"), r.PathValue("id")
	back := localPath(r.PostForm.Get(backField))
	if name == string(charter.ActRaiseAlert) {
		return kurultai.FieldError("action", "raise an alert from the desk")
	}
	a, err := formAction(name, r.PostForm, rq.l.tz)
	if err == nil {
		_, err = s.crisis.Act(r.Context(), rq.p, sit, a)
	}
	if err != nil {
		return s.refused(w, r, rq, name, back, err)
	}
	rq.sess.setFlash(rq.l.T("flash.done", rq.l.Word("action", name)))
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

// refused shows the page a form came from with the refusal beside it, or
// returns err when it is not the user's to fix.
func (s *Server) refused(w http.ResponseWriter, r *http.Request, rq *request, name, back string, err error) error {
	code := kurultai.ErrorCode(err)
	if code == kurultai.CodeInternal || code == kurultai.CodeUnavailable {
		return err
	}
	f := &formState{Action: name, Message: kurultai.ErrorMessage(err), Values: r.PostForm}
	var ke *kurultai.Error
	if asError(err, &ke) {
		f.Field = ke.Field
	}
	status := code.HTTPStatus()
	parts := strings.Split(strings.Trim(strings.SplitN(back, "?", 2)[0], "/"), "/")
	if len(parts) >= 2 && parts[0] == "situations" {
		id, _ := url.PathUnescape(parts[1])
		if id != r.PathValue("id") {
			return kurultai.FieldError(backField, "the form does not belong to this situation")
		}
		switch {
		case len(parts) == 4 && parts[2] == "statements":
			d, _ := url.PathUnescape(parts[3])
			r.SetPathValue("draft", d)
			return s.renderStatement(w, r, rq, status, f)
		case len(parts) == 3 && parts[2] == "assistance":
			return s.renderAssistance(w, r, rq, status, f)
		case len(parts) == 3 && parts[2] == "meetings":
			return s.renderMeetings(w, r, rq, status, f)
		}
	}
	return s.renderRoom(w, r, rq, status, f)
}

// newSituationData is the form to raise an alert.
type newSituationData struct {
	Members []string
	Form    *formState
	Now     string
}

func (s *Server) newSituationForm(w http.ResponseWriter, r *http.Request, rq *request) error {
	return s.renderNewSituation(w, r, rq, http.StatusOK, s.draftForm(rq, r))
}

func (s *Server) renderNewSituation(w http.ResponseWriter, r *http.Request, rq *request, status int, f *formState) error {
	if !rq.p.CanWrite() || !s.canRaise(rq.p) {
		return kurultai.Errorf(kurultai.CodeForbidden, "charter roles: raise_alert is not for %s", rq.p.Participant)
	}
	d := newSituationData{Members: s.m.Charter.Codes(kurultai.KindMember), Form: f,
		Now: rq.now.In(rq.l.tz).Format(timeLayout)}
	return s.render(w, r, rq, status, "new", rq.l.T("new.title"), "desk", d)
}

// raiseAlert opens a situation from the form.
func (s *Server) raiseAlert(w http.ResponseWriter, r *http.Request, rq *request) error {
	name := string(charter.ActRaiseAlert)
	a, err := formAction(name, r.PostForm, rq.l.tz)
	var id string
	if err == nil {
		id, err = s.crisis.Act(r.Context(), rq.p, "", a)
	}
	if err != nil {
		code := kurultai.ErrorCode(err)
		if code == kurultai.CodeInternal || code == kurultai.CodeUnavailable {
			return err
		}
		f := &formState{Action: name, Message: kurultai.ErrorMessage(err), Values: r.PostForm}
		var ke *kurultai.Error
		if asError(err, &ke) {
			f.Field = ke.Field
		}
		return s.renderNewSituation(w, r, rq, code.HTTPStatus(), f)
	}
	rq.sess.setFlash(rq.l.T("flash.done", rq.l.Word("action", name)))
	http.Redirect(w, r, "/situations/"+url.PathEscape(id), http.StatusSeeOther)
	return nil
}
