package crisis

import (
	"slices"
	"time"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// RaiseAlert opens a situation in the charter's initial mode.
type RaiseAlert struct {
	Title    string    `json:"title"`
	Onset    time.Time `json:"onset"`
	Affected []string  `json:"affected"`
	Summary  string    `json:"summary,omitempty"`
}

// Name implements Action.
func (*RaiseAlert) Name() charter.Action { return charter.ActRaiseAlert }

func (a *RaiseAlert) apply(c *actx) ([]Record, error) {
	if a.Onset.IsZero() {
		return nil, kurultai.FieldError("onset", "required")
	}
	if a.Onset.After(c.now) {
		return nil, kurultai.FieldError("onset", "%s is in the future", timeStr(a.Onset))
	}
	r := &Situation{
		Meta:  c.meta(charter.KindSituation, c.release(charter.KindSituation)),
		Title: a.Title, Onset: At(a.Onset), Affected: a.Affected, Summary: a.Summary,
		InitialMode: c.m.Charter.Modes.Initial, CharterVersion: c.m.Charter.Version,
	}
	r.Situation = r.ID
	if err := c.m.check(r); err != nil {
		return nil, err
	}
	return []Record{r}, nil
}

// RequestConsultation asks for consultation on the situation.
type RequestConsultation struct {
	Reason string `json:"reason,omitempty"`
}

// Name implements Action.
func (*RequestConsultation) Name() charter.Action { return charter.ActRequestConsultation }

func (a *RequestConsultation) apply(c *actx) ([]Record, error) {
	r := &ConsultationRequest{Meta: c.meta(charter.KindConsultationRequest, c.release(charter.KindConsultationRequest)), Reason: a.Reason}
	return []Record{r}, c.m.check(r)
}

// AskConsent asks the affected states for consent to public statements
// and meetings about them; the answer is due after the charter's timeout.
type AskConsent struct {
	Note string `json:"note,omitempty"`
}

// Name implements Action.
func (*AskConsent) Name() charter.Action { return charter.ActAskConsent }

func (a *AskConsent) apply(c *actx) ([]Record, error) {
	switch cs := c.m.consentAt(c.st, c.now); cs.Status {
	case ConsentPending:
		return nil, conflict("a consent request is already waiting for an answer until %s", timeStr(cs.Request.Expires.Time))
	case ConsentGranted:
		return nil, conflict("%s already consented", joinCodes(c.st.Affected()))
	}
	r := &ConsentRequest{
		Meta:    c.meta(charter.KindConsentRequest, c.release(charter.KindConsentRequest)),
		Expires: At(c.now.Add(c.m.Charter.Consent.Timeout.D())), Note: a.Note,
	}
	return []Record{r}, c.m.check(r)
}

// AnswerConsent is an affected state's answer to the pending (or
// timed-out) consent request.
type AnswerConsent struct {
	Answer string `json:"answer"` // granted or refused
	Note   string `json:"note,omitempty"`
}

// Name implements Action.
func (*AnswerConsent) Name() charter.Action { return charter.ActAnswerConsent }

func (a *AnswerConsent) apply(c *actx) ([]Record, error) {
	cs := c.m.consentAt(c.st, c.now)
	if cs.Request == nil {
		return nil, conflict("nobody has asked for consent")
	}
	for _, ans := range cs.Answers {
		if ans.By == c.p.Participant {
			return nil, conflict("%s already answered this consent request (%s)", c.p.Participant, ans.Answer)
		}
	}
	r := &ConsentAnswer{
		Meta:       c.meta(charter.KindConsentAnswer, c.release(charter.KindConsentAnswer)),
		RequestRef: cs.Request.ID, Answer: a.Answer, Note: a.Note,
	}
	return []Record{r}, c.m.check(r)
}

// DesignateBriefer names the office that briefs the members for an
// affected state.
type DesignateBriefer struct {
	Briefer string `json:"briefer"`
	Note    string `json:"note,omitempty"`
}

// Name implements Action.
func (*DesignateBriefer) Name() charter.Action { return charter.ActDesignateBriefer }

func (a *DesignateBriefer) apply(c *actx) ([]Record, error) {
	r := &Briefer{Meta: c.meta(charter.KindBriefer, c.release(charter.KindBriefer)), Briefer: a.Briefer, Note: a.Note}
	return []Record{r}, c.m.check(r)
}

// PostReport posts a situation report. Audience may differ from the
// charter's default only where the charter lets the author choose.
type PostReport struct {
	Title    string `json:"title,omitempty"`
	Text     string `json:"text"`
	Audience string `json:"audience,omitempty"`
}

// Name implements Action.
func (*PostReport) Name() charter.Action { return charter.ActPostReport }

func (a *PostReport) apply(c *actx) ([]Record, error) {
	rel := c.m.Charter.ReleaseOf(charter.KindSituationReport)
	aud := rel.Audience
	if a.Audience != "" && a.Audience != aud {
		if !rel.AuthorMayChoose {
			return nil, forbidden("releasability.situation-report", "situation reports go to %s; the author may not choose", aud)
		}
		if !c.m.audienceValid(a.Audience) {
			return nil, kurultai.FieldError("audience", "%q is neither members, members+observers, public nor a participant code", clip(a.Audience))
		}
		aud = a.Audience
	}
	r := &SituationReport{Meta: c.meta(charter.KindSituationReport, aud), Title: a.Title, Text: a.Text}
	return []Record{r}, c.m.check(r)
}

// ChangeMode moves the situation to another mode.
type ChangeMode struct {
	To     string `json:"to"`
	Reason string `json:"reason,omitempty"`
}

// Name implements Action.
func (*ChangeMode) Name() charter.Action { return charter.ActChangeMode }

func (a *ChangeMode) apply(c *actx) ([]Record, error) {
	if _, ok := c.m.Charter.Mode(a.To); !ok {
		return nil, kurultai.FieldError("to", "%q is not a mode of charter %s", clip(a.To), c.m.Charter.Version)
	}
	return c.move(a.To, a.Reason)
}

// move builds the mode change from the current mode to another.
func (c *actx) move(to, reason string) ([]Record, error) {
	from := c.st.Mode
	if !c.m.Charter.CanTransition(from, to) {
		mode, _ := c.m.Charter.Mode(from)
		return nil, forbidden("modes."+from+".to", "a situation in mode %s may move to %s, not to %s", from, orNone(mode.To), to)
	}
	r := &ModeChange{Meta: c.meta(charter.KindModeChange, c.release(charter.KindModeChange)), FromMode: from, ToMode: to, Reason: reason}
	return []Record{r}, c.m.check(r)
}

func orNone(ss []string) string {
	if len(ss) == 0 {
		return "no other mode"
	}
	return joinCodes(ss)
}

// Close moves the situation to the final mode.
type Close struct {
	Reason string `json:"reason,omitempty"`
}

// Name implements Action.
func (*Close) Name() charter.Action { return charter.ActClose }

func (a *Close) apply(c *actx) ([]Record, error) { return c.move(c.m.Charter.FinalMode(), a.Reason) }

// consentAt computes the consent gate at an instant: the latest request,
// the answers of the affected states to it, the status and the path.
func (m *Mechanism) consentAt(st *State, now time.Time) ConsentState {
	cs := ConsentState{Request: st.Consent.Request, Answers: st.Consent.Answers, Status: ConsentUnasked, Path: PathWait}
	if cs.Request == nil {
		return cs
	}
	granted := 0
	for _, code := range st.Affected() {
		i := slices.IndexFunc(cs.Answers, func(a *ConsentAnswer) bool { return a.By == code })
		switch {
		case i < 0:
		case cs.Answers[i].Answer == ConsentRefused:
			cs.Status = ConsentRefused
		default:
			granted++
		}
	}
	switch {
	case cs.Status == ConsentRefused:
		cs.Path = path(m.Charter.Consent.OnRefusal)
	case granted == len(st.Affected()):
		cs.Status, cs.Path = ConsentGranted, PathNormal
	case !now.Before(cs.Request.Expires.Time):
		cs.Status, cs.Path = ConsentTimedOut, path(m.Charter.Consent.OnTimeout)
	default:
		cs.Status = ConsentPending
	}
	return cs
}

func path(charterPath string) string {
	if charterPath == charter.PathHalt {
		return PathHalt
	}
	return PathMembersOnly
}
