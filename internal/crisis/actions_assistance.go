package crisis

import (
	"slices"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// RequestAssistance is an affected state's request for assistance.
type RequestAssistance struct {
	Items []Item `json:"items"`
	Text  string `json:"text,omitempty"`
}

// Name implements Action.
func (*RequestAssistance) Name() charter.Action { return charter.ActRequestAssistance }

func (a *RequestAssistance) apply(c *actx) ([]Record, error) {
	if err := c.message(charter.MsgRequest); err != nil {
		return nil, err
	}
	r := &AssistanceRequest{Meta: c.meta(charter.KindAssistanceRequest, c.release(charter.KindAssistanceRequest)), Message: charter.MsgRequest, Items: a.Items, Text: a.Text}
	return []Record{r}, c.m.check(r)
}

// OfferAssistance is a member's unsolicited offer to an affected state.
type OfferAssistance struct {
	Recipient string `json:"recipient"`
	Items     []Item `json:"items"`
	Text      string `json:"text,omitempty"`
}

// Name implements Action.
func (*OfferAssistance) Name() charter.Action { return charter.ActOfferAssistance }

func (a *OfferAssistance) apply(c *actx) ([]Record, error) {
	if err := c.message(charter.MsgOffer); err != nil {
		return nil, err
	}
	if !slices.Contains(c.st.Affected(), a.Recipient) {
		return nil, kurultai.FieldError("recipient", "%q is not an affected state of this situation (%s)", clip(a.Recipient), joinCodes(c.st.Affected()))
	}
	if a.Recipient == c.p.Participant {
		return nil, kurultai.FieldError("recipient", "a state cannot offer assistance to itself")
	}
	r := &AssistanceRequest{Meta: c.meta(charter.KindAssistanceRequest, c.release(charter.KindAssistanceRequest)), Message: charter.MsgOffer, Recipient: a.Recipient, Items: a.Items, Text: a.Text}
	return []Record{r}, c.m.check(r)
}

// AnswerAssistance is a member's answer to a request: pledge (with items),
// decline or need_info (with a question).
type AnswerAssistance struct {
	Request string `json:"request"`
	Message string `json:"message"` // pledge, decline or need_info
	Items   []Item `json:"items,omitempty"`
	Text    string `json:"text,omitempty"`
}

// Name implements Action.
func (*AnswerAssistance) Name() charter.Action { return charter.ActAnswerAssistance }

func (a *AnswerAssistance) apply(c *actx) ([]Record, error) {
	if err := oneOf("message", a.Message, charter.MsgPledge, charter.MsgDecline, charter.MsgNeedInfo); err != nil {
		return nil, err
	}
	if err := c.message(a.Message); err != nil {
		return nil, err
	}
	as, err := c.open(a.Request)
	if err != nil {
		return nil, err
	}
	if as.Message != charter.MsgRequest {
		return nil, kurultai.FieldError("request", "%s is an offer; its recipient accepts or declines it", as.ID)
	}
	if as.By == c.p.Participant {
		return nil, kurultai.Errorf(kurultai.CodeForbidden, "%s cannot answer its own request", c.p.Participant)
	}
	return c.respond(as, a.Message, "", a.Items, a.Text)
}

// AcceptAssistance is the requester's accept or decline of a pledge (on a
// request) or of an offer made to it.
type AcceptAssistance struct {
	Request string `json:"request"`
	Pledge  string `json:"pledge,omitempty"` // required for requests, empty for offers
	Message string `json:"message"`          // accept or decline
	Text    string `json:"text,omitempty"`
}

// Name implements Action.
func (*AcceptAssistance) Name() charter.Action { return charter.ActAcceptAssistance }

func (a *AcceptAssistance) apply(c *actx) ([]Record, error) {
	if err := oneOf("message", a.Message, charter.MsgAccept, charter.MsgDecline); err != nil {
		return nil, err
	}
	if err := c.message(a.Message); err != nil {
		return nil, err
	}
	as, err := c.open(a.Request)
	if err != nil {
		return nil, err
	}
	if as.Message == charter.MsgOffer {
		if as.Recipient != c.p.Participant {
			return nil, kurultai.Errorf(kurultai.CodeForbidden, "only %s, to whom the offer was made, may accept or decline it", as.Recipient)
		}
		if as.Accepted || as.Declined {
			return nil, conflict("offer %s was already answered", as.ID)
		}
		if a.Pledge != "" {
			return nil, kurultai.FieldError("pledge", "an offer has no pledges; leave it empty")
		}
		return c.respond(as, a.Message, "", nil, a.Text)
	}
	if as.By != c.p.Participant {
		return nil, kurultai.Errorf(kurultai.CodeForbidden, "only %s, who made the request, may accept or decline pledges", as.By)
	}
	ps, err := pledgeOf(as, a.Pledge)
	if err != nil {
		return nil, err
	}
	if ps.Accepted || ps.Declined || ps.Cancelled {
		return nil, conflict("pledge %s was already accepted, declined or cancelled", ps.ID)
	}
	return c.respond(as, a.Message, ps.ID, nil, a.Text)
}

// MarkDelivered is the pledging (or offering) member's report that its
// assistance was delivered.
type MarkDelivered struct {
	Request string `json:"request"`
	Pledge  string `json:"pledge,omitempty"` // required for requests, empty for offers
	Text    string `json:"text,omitempty"`
}

// Name implements Action.
func (*MarkDelivered) Name() charter.Action { return charter.ActMarkDelivered }

func (a *MarkDelivered) apply(c *actx) ([]Record, error) {
	if err := c.message(charter.MsgDelivered); err != nil {
		return nil, err
	}
	as, err := c.open(a.Request)
	if err != nil {
		return nil, err
	}
	if as.Message == charter.MsgOffer {
		if as.By != c.p.Participant {
			return nil, kurultai.Errorf(kurultai.CodeForbidden, "only %s, who made the offer, may mark it delivered", as.By)
		}
		if !as.Accepted || as.Delivered {
			return nil, conflict("offer %s is not accepted, or is already delivered", as.ID)
		}
		return c.respond(as, charter.MsgDelivered, "", nil, a.Text)
	}
	ps, err := pledgeOf(as, a.Pledge)
	if err != nil {
		return nil, err
	}
	if ps.By != c.p.Participant {
		return nil, kurultai.Errorf(kurultai.CodeForbidden, "only %s, who pledged, may mark the pledge delivered", ps.By)
	}
	if !ps.Counts() || ps.Delivered {
		return nil, conflict("pledge %s is declined, cancelled or already delivered", ps.ID)
	}
	return c.respond(as, charter.MsgDelivered, ps.ID, nil, a.Text)
}

// CancelAssistance cancels a request or offer (by its writer) or a pledge
// (by the pledging member).
type CancelAssistance struct {
	Request string `json:"request"`
	Pledge  string `json:"pledge,omitempty"`
	Text    string `json:"text,omitempty"`
}

// Name implements Action.
func (*CancelAssistance) Name() charter.Action { return charter.ActCancelAssistance }

func (a *CancelAssistance) apply(c *actx) ([]Record, error) {
	if err := c.message(charter.MsgCancel); err != nil {
		return nil, err
	}
	as, err := c.open(a.Request)
	if err != nil {
		return nil, err
	}
	if a.Pledge == "" {
		if as.By != c.p.Participant {
			return nil, kurultai.Errorf(kurultai.CodeForbidden, "only %s may cancel its %s", as.By, as.Message)
		}
		return c.respond(as, charter.MsgCancel, "", nil, a.Text)
	}
	ps, err := pledgeOf(as, a.Pledge)
	if err != nil {
		return nil, err
	}
	if ps.By != c.p.Participant {
		return nil, kurultai.Errorf(kurultai.CodeForbidden, "only %s may cancel its pledge", ps.By)
	}
	if ps.Cancelled || ps.Delivered {
		return nil, conflict("pledge %s is already cancelled or delivered", ps.ID)
	}
	return c.respond(as, charter.MsgCancel, ps.ID, nil, a.Text)
}

// CloseAssistance closes a request (the requester: the need is met or
// gone).
type CloseAssistance struct {
	Request string `json:"request"`
	Text    string `json:"text,omitempty"`
}

// Name implements Action.
func (*CloseAssistance) Name() charter.Action { return charter.ActCloseAssistance }

func (a *CloseAssistance) apply(c *actx) ([]Record, error) {
	if err := c.message(charter.MsgClose); err != nil {
		return nil, err
	}
	as, err := c.open(a.Request)
	if err != nil {
		return nil, err
	}
	if as.By != c.p.Participant && as.Recipient != c.p.Participant {
		return nil, kurultai.Errorf(kurultai.CodeForbidden, "only the requesting state may close %s", as.ID)
	}
	return c.respond(as, charter.MsgClose, "", nil, a.Text)
}

// message refuses assistance messages the charter does not list.
func (c *actx) message(msg string) error {
	if !c.m.Charter.AssistanceAllows(msg) {
		return forbidden("assistance.messages", "the message %q is not part of this charter's assistance procedure", msg)
	}
	return nil
}

// open returns a request or offer that is not closed.
func (c *actx) open(id string) (*AssistanceState, error) {
	as := c.st.AssistanceByID(id)
	if as == nil {
		return nil, notInSituation("request", id)
	}
	if as.Status == charter.StatusClosed {
		return nil, conflict("%s %s is closed", as.Message, as.ID)
	}
	return as, nil
}

func pledgeOf(as *AssistanceState, id string) (*PledgeState, error) {
	if id == "" {
		return nil, kurultai.FieldError("pledge", "required: which pledge on request %s", as.ID)
	}
	for _, p := range as.Pledges {
		if p.ID == id {
			return p, nil
		}
	}
	return nil, &kurultai.Error{Code: kurultai.CodeNotFound, Field: "pledge", Message: clip(id) + " is not a pledge on request " + as.ID}
}

func (c *actx) respond(as *AssistanceState, msg, pledge string, items []Item, text string) ([]Record, error) {
	r := &AssistanceResponse{
		Meta:       c.meta(charter.KindAssistanceResponse, c.release(charter.KindAssistanceResponse)),
		RequestRef: as.ID, Message: msg, PledgeRef: pledge, Items: items, Text: text,
	}
	return []Record{r}, c.m.check(r)
}
