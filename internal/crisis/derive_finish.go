package crisis

import (
	"fmt"
	"slices"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/kurultai"
)

func (d *deriver) assistanceRequest(r *AssistanceRequest) string {
	if r.Message == charter.MsgOffer {
		if !slices.Contains(d.st.Affected(), r.Recipient) {
			return fmt.Sprintf("an offer to %s, which this situation does not affect", r.Recipient)
		}
		if r.Recipient == r.By {
			return "an offer to oneself"
		}
	}
	d.st.Assistance = append(d.st.Assistance, &AssistanceState{AssistanceRequest: r})
	return ""
}

// assistanceResponse applies one message to its request or offer,
// checking that its writer is the one the message is for.
func (d *deriver) assistanceResponse(r *AssistanceResponse) string {
	as := d.st.AssistanceByID(r.RequestRef)
	if as == nil {
		return fmt.Sprintf("request %s is not known", r.RequestRef)
	}
	if as.Status == charter.StatusClosed {
		return fmt.Sprintf("%s %s was closed before this message", as.Message, as.ID)
	}
	offer := as.Message == charter.MsgOffer
	var ps *PledgeState
	if r.PledgeRef != "" {
		if ps = d.pledges[r.PledgeRef]; ps == nil || ps.RequestRef != as.ID {
			return fmt.Sprintf("pledge %s is not a pledge on %s", r.PledgeRef, as.ID)
		}
	}
	answer := func() {
		if as.FirstAnswer.IsZero() {
			as.FirstAnswer = r.Created
		}
	}
	switch m := r.Message; {
	case (m == charter.MsgPledge || m == charter.MsgNeedInfo || m == charter.MsgDecline && ps == nil && !offer) && !offer:
		if r.By == as.By {
			return "an answer to one's own request"
		}
		if ps != nil {
			return "an answer does not refer to a pledge"
		}
		answer()
		if m == charter.MsgPledge {
			p := &PledgeState{AssistanceResponse: r}
			as.Pledges = append(as.Pledges, p)
			d.pledges[r.ID] = p
		}
	case (m == charter.MsgAccept || m == charter.MsgDecline) && offer:
		if r.By != as.Recipient || ps != nil || as.Accepted || as.Declined {
			return "only the recipient answers an offer, once"
		}
		as.Accepted, as.Declined = m == charter.MsgAccept, m == charter.MsgDecline
		if as.Declined {
			as.Status = charter.StatusClosed
		}
	case m == charter.MsgAccept || m == charter.MsgDecline:
		if r.By != as.By || ps == nil || ps.Accepted || ps.Declined || ps.Cancelled {
			return "only the requester accepts or declines a pledge, once"
		}
		ps.Accepted, ps.Declined = m == charter.MsgAccept, m == charter.MsgDecline
	case m == charter.MsgDelivered:
		switch {
		case offer && ps == nil && r.By == as.By && as.Accepted && !as.Delivered:
			as.Delivered = true
		case !offer && ps != nil && r.By == ps.By && ps.Counts() && !ps.Delivered:
			ps.Delivered = true
		default:
			return "only the pledging or offering state marks its own accepted assistance delivered, once"
		}
		as.deliveredAt = r.Created
	case m == charter.MsgCancel:
		switch {
		case ps == nil && r.By == as.By:
			as.Status = charter.StatusClosed
		case ps != nil && r.By == ps.By && !ps.Cancelled && !ps.Delivered:
			ps.Cancelled = true
		default:
			return "only the writer cancels its own request, offer or pledge"
		}
	case m == charter.MsgClose:
		if ps != nil || (r.By != as.By && r.By != as.Recipient) {
			return "only the requesting state closes a request"
		}
		as.Status = charter.StatusClosed
	default:
		return fmt.Sprintf("message %s does not apply to a %s", m, as.Message)
	}
	as.Responses = append(as.Responses, r)
	return ""
}

// finish computes what depends on every record and on now.
func (d *deriver) finish() {
	st, ch := d.st, d.m.Charter
	st.Final = st.Mode == ch.FinalMode()
	st.Consent = d.m.consentAt(st, d.now)
	for _, s := range st.Silences {
		d.finishSilence(s)
	}
	members := ch.Codes(kurultai.KindMember)
	for _, ms := range st.Meetings {
		ms.Members = len(members)
		ms.Held = ms.Outcome != nil && ms.Outcome.Held
		if ms.Outcome != nil {
			for _, c := range ms.Outcome.Present {
				if slices.Contains(members, c) {
					ms.MembersPresent++
				}
			}
		}
		invited := ch.Meetings.Quorum.Invite != "all_members" || !slices.ContainsFunc(members, func(c string) bool { return !slices.Contains(ms.Invitees, c) })
		enough := ms.MembersPresent*2 > ms.Members
		if ch.Meetings.Quorum.Present == "all" {
			enough = ms.MembersPresent == ms.Members
		}
		ms.Quorum = ms.Held && invited && enough
	}
	for _, as := range st.Assistance {
		finishAssistance(as)
	}
	d.events()
	d.deadlines()
	d.kpis()
}

func (d *deriver) finishSilence(s *SilenceState) {
	all := s.Breaks
	s.Breaks = nil
	for _, b := range all {
		if b.Created.Before(s.Expires) && (s.Declaration == nil || !b.Created.After(s.Declaration.Created)) {
			s.Breaks = append(s.Breaks, b)
		} else {
			s.Late = append(s.Late, b)
		}
	}
	switch {
	case s.Declaration != nil:
		s.Status = s.Declaration.Outcome
		if s.Declaration.Outcome == Adopted {
			if len(s.Breaks) > 0 {
				s.Conflict = fmt.Sprintf("declared adopted although %s broke silence before expiry; the chair's declaration stands", joinCodes(s.BrokenBy()))
			} else if s.Declaration.Created.Before(s.Expires) {
				s.Conflict = fmt.Sprintf("declared adopted before the expiry %s; the chair's declaration stands", timeStr(s.Expires))
			}
		}
	case len(s.Breaks) > 0:
		s.Status = SilenceBroken
	case !s.Expires.After(d.now):
		s.Status = SilenceExpired
	default:
		s.Status = SilenceOpen
	}
}

func finishAssistance(as *AssistanceState) {
	if as.Message == charter.MsgOffer {
		for _, it := range as.Items {
			t := ItemTotal{Item: it.Item, Unit: it.Unit, Requested: it.Quantity}
			if as.Accepted {
				t.Pledged = it.Quantity
			}
			if as.Delivered {
				t.Delivered = it.Quantity
			}
			as.Totals = append(as.Totals, t)
		}
		as.complete = as.Delivered
		switch {
		case as.Status == charter.StatusClosed:
		case as.Delivered:
			as.Status = charter.StatusDelivered
		case as.Accepted:
			as.Status = charter.StatusFullyPledged
		default:
			as.Status = charter.StatusOpen
		}
		return
	}
	idx := map[string]int{}
	for _, it := range as.Items {
		idx[it.Item] = len(as.Totals)
		as.Totals = append(as.Totals, ItemTotal{Item: it.Item, Unit: it.Unit, Requested: it.Quantity})
	}
	counting, delivered := 0, 0
	for _, p := range as.Pledges {
		if !p.Counts() {
			continue
		}
		counting++
		if p.Delivered {
			delivered++
		}
		for _, it := range p.Items {
			i, ok := idx[it.Item]
			if !ok {
				i = len(as.Totals)
				idx[it.Item] = i
				as.Totals = append(as.Totals, ItemTotal{Item: it.Item, Unit: it.Unit})
			}
			as.Totals[i].Pledged += it.Quantity
			if p.Delivered {
				as.Totals[i].Delivered += it.Quantity
			}
		}
	}
	full, some := true, false
	for _, t := range as.Totals {
		if t.Requested > 0 && t.Pledged < t.Requested {
			full = false
		}
		if t.Pledged > 0 {
			some = true
		}
	}
	as.complete = full && counting > 0 && delivered == counting
	switch {
	case as.Status == charter.StatusClosed:
	case as.complete:
		as.Status = charter.StatusDelivered
	case full && counting > 0:
		as.Status = charter.StatusFullyPledged
	case some:
		as.Status = charter.StatusPartlyPledged
	default:
		as.Status = charter.StatusOpen
	}
}
