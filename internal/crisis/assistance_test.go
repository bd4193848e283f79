package crisis

import (
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/kurultai"
)

func TestAssistanceFlow(t *testing.T) {
	w := newWorld(t)
	w.consult()
	status := func(id string) string { return w.state().AssistanceByID(id).Status }
	w.refuse(az, &RequestAssistance{Items: []Item{{Item: "flour", Quantity: 1}}}, kurultai.CodeForbidden, "charter roles: request_assistance is for affected")
	w.refuse(kz, &RequestAssistance{}, kurultai.CodeInvalid, "items")
	w.refuse(kz, &RequestAssistance{Items: []Item{{Item: "flour", Quantity: 0}}}, kurultai.CodeInvalid, "items[0].quantity")
	req := id(w.do(kz, &RequestAssistance{Items: []Item{{Item: "flour", Quantity: 100, Unit: "t"}}, Text: "for Almaty"}))
	if s := status(req); s != charter.StatusOpen {
		t.Fatalf("new request %s", s)
	}
	w.refuse(kz, &AnswerAssistance{Request: req, Message: "pledge", Items: []Item{{Item: "flour", Quantity: 1}}}, kurultai.CodeForbidden, "KZ cannot answer its own request")
	w.refuse(hu, &AnswerAssistance{Request: req, Message: "pledge", Items: []Item{{Item: "flour", Quantity: 1}}}, kurultai.CodeForbidden, "charter roles")
	w.refuse(az, &AnswerAssistance{Request: req, Message: "pledge"}, kurultai.CodeInvalid, "items")
	w.refuse(az, &AnswerAssistance{Request: req, Message: "bribe"}, kurultai.CodeInvalid, "message")
	w.refuse(az, &AnswerAssistance{Request: "kurultai-assistance-request--5b1c9f4e-4c2a-4f1e-9a3b-1c2d3e4f5a6b", Message: "decline"}, kurultai.CodeNotFound, "request")
	w.advance(time.Hour)
	w.do(kg, &AnswerAssistance{Request: req, Message: "decline", Text: "no stocks"})
	p1 := id(w.do(az, &AnswerAssistance{Request: req, Message: "pledge", Items: []Item{{Item: "flour", Quantity: 30, Unit: "t"}}}))
	if s := status(req); s != charter.StatusPartlyPledged {
		t.Errorf("after 30/100: %s", s)
	}
	st := w.state()
	for _, d := range st.Deadlines {
		if d.Deadline == "assistance_answer" && (d.Status != DueMet || !d.MetAt.Equal(st.AssistanceByID(req).FirstAnswer)) {
			t.Errorf("answer deadline %+v (a decline is an answer)", d)
		}
	}
	p2 := id(w.do(uz, &AnswerAssistance{Request: req, Message: "pledge", Items: []Item{{Item: "flour", Quantity: 70, Unit: "t"}}}))
	if s := status(req); s != charter.StatusFullyPledged {
		t.Errorf("after 100/100: %s", s)
	}
	w.refuse(uz, &AcceptAssistance{Request: req, Pledge: p2, Message: "accept"}, kurultai.CodeForbidden, "charter roles: accept_assistance is for affected")
	w.do(kz, &AcceptAssistance{Request: req, Pledge: p2, Message: "decline", Text: "route closed"})
	if s := status(req); s != charter.StatusPartlyPledged {
		t.Errorf("after declining 70: %s", s)
	}
	w.refuse(kz, &AcceptAssistance{Request: req, Pledge: p2, Message: "accept"}, kurultai.CodeConflict, "already")
	w.refuse(uz, &MarkDelivered{Request: req, Pledge: p2}, kurultai.CodeConflict, "declined")
	w.refuse(uz, &MarkDelivered{Request: req, Pledge: p1}, kurultai.CodeForbidden, "only AZ")
	w.do(az, &CancelAssistance{Request: req, Pledge: p1, Text: "trucks needed elsewhere"})
	if s := status(req); s != charter.StatusOpen {
		t.Errorf("after cancelling the last pledge: %s", s)
	}
	p3 := id(w.do(tr, &AnswerAssistance{Request: req, Message: "pledge", Items: []Item{{Item: "flour", Quantity: 100, Unit: "t"}}}))
	w.do(kz, &AcceptAssistance{Request: req, Pledge: p3, Message: "accept"})
	w.do(tr, &MarkDelivered{Request: req, Pledge: p3})
	if s := status(req); s != charter.StatusDelivered {
		t.Errorf("after delivery: %s", s)
	}
	w.refuse(az, &CloseAssistance{Request: req}, kurultai.CodeForbidden, "charter roles")
	w.do(kz, &CloseAssistance{Request: req, Text: "need met"})
	if s := status(req); s != charter.StatusClosed {
		t.Errorf("after closing: %s", s)
	}
	w.refuse(az, &AnswerAssistance{Request: req, Message: "pledge", Items: []Item{{Item: "flour", Quantity: 1}}}, kurultai.CodeConflict, "is closed")
	if ev := w.state().Events; !containsEvent(ev, charter.EvAssistanceDelivered) {
		t.Error("no assistance.delivered event")
	}
}

func containsEvent(evs []Event, name string) bool {
	for _, e := range evs {
		if e.Name == name {
			return true
		}
	}
	return false
}

func TestAssistanceOffer(t *testing.T) {
	w := newWorld(t)
	w.consult()
	w.refuse(az, &OfferAssistance{Recipient: "UZ", Items: []Item{{Item: "tents", Quantity: 10}}}, kurultai.CodeInvalid, "not an affected state")
	o := id(w.do(az, &OfferAssistance{Recipient: "KZ", Items: []Item{{Item: "tents", Quantity: 10}}}))
	w.refuse(uz, &AcceptAssistance{Request: o, Message: "accept"}, kurultai.CodeForbidden, "charter roles")
	w.refuse(kz, &AnswerAssistance{Request: o, Message: "decline"}, kurultai.CodeInvalid, "is an offer")
	w.refuse(uz, &AnswerAssistance{Request: o, Message: "pledge", Items: []Item{{Item: "tents", Quantity: 1}}}, kurultai.CodeInvalid, "is an offer")
	w.refuse(az, &MarkDelivered{Request: o}, kurultai.CodeConflict, "not accepted")
	w.do(kz, &AcceptAssistance{Request: o, Message: "accept"})
	w.do(az, &MarkDelivered{Request: o})
	as := w.state().AssistanceByID(o)
	if as.Status != charter.StatusDelivered || as.Totals[0].Delivered != 10 {
		t.Errorf("offer %s %+v", as.Status, as.Totals)
	}
	if st := w.state(); len(st.Deadlines) > 0 {
		for _, d := range st.Deadlines {
			if d.Deadline == "assistance_answer" {
				t.Errorf("an offer started the answer deadline: %+v", d)
			}
		}
	}
}

func TestMeetings(t *testing.T) {
	w := newWorld(t)
	w.consult()
	members := []string{"AZ", "KZ", "KG", "TR", "UZ"}
	start := w.now.Add(2 * time.Hour)
	w.refuse(chair, &ConveneMeeting{Level: "senior_officials", Start: start, Invitees: members[:4], Agenda: "a"}, kurultai.CodeInvalid, "every member must be invited; missing UZ")
	w.refuse(chair, &ConveneMeeting{Level: "kings", Start: start, Invitees: members, Agenda: "a"}, kurultai.CodeInvalid, "level")
	w.refuse(chair, &ConveneMeeting{Level: "senior_officials", Start: w.now.Add(-time.Hour), Invitees: members, Agenda: "a"}, kurultai.CodeInvalid, "start")
	w.refuse(chair, &ConveneMeeting{Level: "senior_officials", Start: start, Invitees: append(members, "ZZ"), Agenda: "a"}, kurultai.CodeInvalid, "invitees[5]")
	w.refuse(kz, &ConveneMeeting{Level: "senior_officials", Start: start, Invitees: members, Agenda: "a"}, kurultai.CodeForbidden, "charter roles: convene_meeting is for chair")
	m1 := w.do(chair, &ConveneMeeting{Level: "senior_officials", Start: start, Invitees: members, Agenda: "a"}).Records[0]
	if m1.Base().Audience != kurultai.AudienceMembers {
		t.Errorf("a meeting without observers is released to %s", m1.Base().Audience)
	}
	w.refuse(sec, &RecordMeeting{Meeting: m1.Base().ID, Held: true, Present: members}, kurultai.CodeConflict, "starts at")
	w.now = start.Add(time.Hour)
	w.refuse(sec, &RecordMeeting{Meeting: m1.Base().ID, Held: true, Present: []string{"HU"}}, kurultai.CodeInvalid, "present[0]")
	w.do(sec, &RecordMeeting{Meeting: m1.Base().ID, Held: true, Present: members[:2], Outcome: "no quorum"})
	w.refuse(chair, &RecordMeeting{Meeting: m1.Base().ID, Held: true, Present: members}, kurultai.CodeConflict, "already recorded")
	ms := w.state().MeetingByID(m1.Base().ID)
	if !ms.Held || ms.Quorum || ms.MembersPresent != 2 {
		t.Errorf("2 of 5 present: held %v quorum %v", ms.Held, ms.Quorum)
	}
	if containsEvent(w.state().Events, charter.EvMeetingHeld) {
		t.Error("a meeting without quorum counts as held")
	}
	// A heads-of-state meeting meets the senior officials' deadline too.
	w.do(chair, &ConveneMeeting{Level: "heads_of_state", Start: w.now.Add(time.Hour), Invitees: members, Agenda: "b"})
	hs := w.state().Meetings[1]
	w.now = hs.Start.Add(time.Hour)
	w.do(chair, &RecordMeeting{Meeting: hs.ID, Held: true, Present: members[:3]})
	st := w.state()
	for _, d := range st.Deadlines {
		if d.Deadline == "senior_officials" && d.Status != DueMet {
			t.Errorf("senior officials' deadline after a heads-of-state meeting: %+v", d)
		}
	}
}
