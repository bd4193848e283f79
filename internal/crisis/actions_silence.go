package crisis

import (
	"time"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// DraftStatement writes a new draft (Draft empty) or a new version of a
// draft the same participant wrote.
type DraftStatement struct {
	Draft string `json:"draft,omitempty"`
	Title string `json:"title"`
	Text  string `json:"text"`
	// Release is the audience once adopted; empty means the charter's
	// default for declarations.
	Release string `json:"release,omitempty"`
}

// Name implements Action.
func (*DraftStatement) Name() charter.Action { return charter.ActDraftStatement }

func (a *DraftStatement) apply(c *actx) ([]Record, error) {
	rel := a.Release
	if rel == "" {
		rel = c.release(charter.KindDeclaration)
	}
	r := &StatementDraft{Meta: c.meta(charter.KindStatementDraft, c.release(charter.KindStatementDraft)), Title: a.Title, Text: a.Text, Release: rel}
	if a.Draft != "" {
		d := c.st.Draft(a.Draft)
		if d == nil {
			return nil, &kurultai.Error{Code: kurultai.CodeNotFound, Field: "draft", Message: clip(a.Draft) + " is not a draft of this situation"}
		}
		if d.By != c.p.Participant {
			return nil, kurultai.Errorf(kurultai.CodeForbidden, "only %s, who wrote draft %s, may write its versions (every object has one writer); start a new draft", d.By, d.ID)
		}
		last := d.Latest()
		if !c.now.After(last.Modified) {
			return nil, conflict("a version of %s at %s is not older than now; retry", d.ID, last.Version)
		}
		r.ID, r.Created = d.ID, d.Versions[0].Created
	}
	return []Record{r}, c.m.check(r)
}

// OpenSilence puts a draft version under silence. Expires, if set, is the
// exact expiry; otherwise the charter's period for the urgency applies.
type OpenSilence struct {
	Draft   string     `json:"draft"`
	Version string     `json:"version,omitempty"` // default: the latest
	Urgency string     `json:"urgency"`           // urgent or normal
	Expires *time.Time `json:"expires,omitempty"`
}

// Name implements Action.
func (*OpenSilence) Name() charter.Action { return charter.ActOpenSilence }

func (a *OpenSilence) apply(c *actx) ([]Record, error) {
	if err := oneOf("urgency", a.Urgency, Urgent, Normal); err != nil {
		return nil, err
	}
	d := c.st.Draft(a.Draft)
	if d == nil {
		if a.Draft == "" {
			return nil, kurultai.FieldError("draft", "required")
		}
		return nil, &kurultai.Error{Code: kurultai.CodeNotFound, Field: "draft", Message: clip(a.Draft) + " is not a draft of this situation"}
	}
	v := d.Latest()
	if a.Version != "" && a.Version != v.Version {
		if d.Version(a.Version) == nil {
			return nil, &kurultai.Error{Code: kurultai.CodeNotFound, Field: "version", Message: "draft " + d.ID + " has no version " + clip(a.Version)}
		}
		return nil, conflict("version %s of %s is not the latest (%s); put the latest under silence", a.Version, d.ID, v.Version)
	}
	for _, s := range c.st.Silences {
		if s.DraftRef == d.ID && s.Declaration == nil {
			return nil, conflict("draft %s is already under silence procedure %s until the chair declares its outcome", d.ID, s.ID)
		}
	}
	sil := c.m.Charter.Decisions.Silence
	expires := c.now.Add(sil.Normal.D())
	if a.Urgency == Urgent {
		expires = c.now.Add(sil.Urgent.D())
	}
	if a.Expires != nil {
		expires = *a.Expires
	}
	if expires.Sub(c.now) < sil.Minimum.D() {
		return nil, &kurultai.Error{Code: kurultai.CodeInvalid, Field: "expires",
			Message: "charter decisions.silence.minimum: the expiry " + timeStr(expires) + " is less than " + sil.Minimum.String() + " from now"}
	}
	rel := v.Release
	if c.membersOnly() {
		rel = narrower(rel, kurultai.AudienceMembers)
	}
	r := &Silence{
		Meta:     c.meta(charter.KindSilence, c.release(charter.KindSilence)),
		DraftRef: d.ID, DraftVersion: v.Version, Expires: At(expires), Urgency: a.Urgency, Release: rel,
	}
	return []Record{r}, c.m.check(r)
}

// BreakSilence is a member's written objection or amendment, which must
// arrive before expiry.
type BreakSilence struct {
	Silence string `json:"silence"`
	Kind    string `json:"kind"` // objection or amendment
	Text    string `json:"text"`
}

// Name implements Action.
func (*BreakSilence) Name() charter.Action { return charter.ActBreakSilence }

func (a *BreakSilence) apply(c *actx) ([]Record, error) {
	if err := oneOf("kind", a.Kind, Objection, Amendment); err != nil {
		return nil, err
	}
	s := c.st.SilenceByID(a.Silence)
	if s == nil {
		return nil, notInSituation("silence", a.Silence)
	}
	if s.Declaration != nil {
		return nil, conflict("the chair already declared %s %s", s.DraftRef, s.Declaration.Outcome)
	}
	if !c.now.Before(s.Expires) {
		return nil, conflict("silence expired at %s; an objection or amendment must arrive before expiry (charter decisions.silence)", timeStr(s.Expires))
	}
	for _, b := range s.Breaks {
		if b.By == c.p.Participant {
			return nil, conflict("%s already broke silence on this text (%s at %s)", b.By, b.BreakKind, timeStr(b.Created))
		}
	}
	if !containsAny(c.m.Charter.Decisions.Silence.BrokenBy, c.roles) {
		return nil, forbidden("decisions.silence.broken_by", "only %s may break silence", roleList(c.m.Charter.Decisions.Silence.BrokenBy))
	}
	r := &SilenceBreak{
		Meta:       c.meta(charter.KindSilenceBreak, c.release(charter.KindSilenceBreak)),
		SilenceRef: s.ID, DraftRef: s.DraftRef, DraftVersion: s.DraftVersion, BreakKind: a.Kind, Text: a.Text,
	}
	return []Record{r}, c.m.check(r)
}

func containsAny(allowed, held []charter.Role) bool {
	for _, r := range held {
		if containsRole(allowed, r) || r == charter.RoleAffected && containsRole(allowed, charter.RoleMember) {
			return true
		}
	}
	return false
}

func notInSituation(field, id string) error {
	if id == "" {
		return kurultai.FieldError(field, "required")
	}
	return &kurultai.Error{Code: kurultai.CodeNotFound, Field: field, Message: clip(id) + " is not a record of this situation"}
}

// ExtendSilence moves a running procedure's expiry later, as often as the
// charter allows (once by default).
type ExtendSilence struct {
	Silence string    `json:"silence"`
	Expires time.Time `json:"expires"`
	Reason  string    `json:"reason,omitempty"`
}

// Name implements Action.
func (*ExtendSilence) Name() charter.Action { return charter.ActExtendSilence }

func (a *ExtendSilence) apply(c *actx) ([]Record, error) {
	s := c.st.SilenceByID(a.Silence)
	if s == nil {
		return nil, notInSituation("silence", a.Silence)
	}
	if s.Declaration != nil {
		return nil, conflict("the chair already declared %s %s", s.DraftRef, s.Declaration.Outcome)
	}
	if !c.now.Before(s.Expires) {
		return nil, conflict("silence expired at %s; it can no longer be extended", timeStr(s.Expires))
	}
	if max := c.m.Charter.Decisions.Silence.MaxExtensions; len(s.Extensions) >= max {
		return nil, forbidden("decisions.silence.max_extensions", "a procedure may be extended %d time(s), and this one has been", max)
	}
	if !a.Expires.After(s.Expires) {
		return nil, kurultai.FieldError("expires", "the new expiry %s must be after the current one %s", timeStr(a.Expires), timeStr(s.Expires))
	}
	r := &SilenceExtension{
		Meta:       c.meta(charter.KindSilenceExtension, c.release(charter.KindSilenceExtension)),
		SilenceRef: s.ID, Expires: At(a.Expires), Reason: a.Reason,
	}
	return []Record{r}, c.m.check(r)
}

// Declare is the chair's declaration of a procedure's outcome: adopted
// (only after an unbroken expiry) or not adopted.
type Declare struct {
	Silence string `json:"silence"`
	Outcome string `json:"outcome"` // adopted or not_adopted
	Reason  string `json:"reason,omitempty"`
}

// Name implements Action.
func (*Declare) Name() charter.Action { return charter.ActDeclare }

func (a *Declare) apply(c *actx) ([]Record, error) {
	if err := oneOf("outcome", a.Outcome, Adopted, NotAdopted); err != nil {
		return nil, err
	}
	s := c.st.SilenceByID(a.Silence)
	if s == nil {
		return nil, notInSituation("silence", a.Silence)
	}
	if s.Declaration != nil {
		return nil, conflict("the chair already declared %s %s", s.DraftRef, s.Declaration.Outcome)
	}
	aud := kurultai.AudienceMembers
	r := &Declaration{SilenceRef: s.ID, DraftRef: s.DraftRef, DraftVersion: s.DraftVersion, Outcome: a.Outcome, Reason: a.Reason}
	if a.Outcome == Adopted {
		if len(s.Breaks) > 0 {
			b := s.Breaks[0]
			return nil, conflict("silence was broken by %s (%s at %s): the text is not adopted; redraft", b.By, b.BreakKind, timeStr(b.Created))
		}
		if c.now.Before(s.Expires) {
			return nil, conflict("silence runs until %s; adoption can be declared only after expiry", timeStr(s.Expires))
		}
		if s.Draft == nil {
			return nil, conflict("the version under silence (%s) is not known here", s.DraftVersion)
		}
		r.Title, r.Text = s.Draft.Title, s.Draft.Text
		aud = s.Release // the draft's intended audience, narrowed by the consent gate
	}
	r.Meta = c.meta(charter.KindDeclaration, aud)
	return []Record{r}, c.m.check(r)
}
