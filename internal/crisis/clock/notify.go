package clock

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/stix"
)

// Bus is what the clock needs of the message bus: plain messages and
// JetStream's de-duplicating durable publish. *natsbus.Bus implements it.
type Bus interface {
	kurultai.Bus
	PublishDurable(ctx context.Context, subject string, data []byte, msgID string) (*jetstream.PubAck, error)
}

// SubjectObjectsAdded is the subject on which the exchange core announces
// stored versions (taxii.SubjectObjectsAdded; the API announces its writes
// there too). Its message is a JSON list of Added.
const SubjectObjectsAdded = "objects.added"

// Added is one stored version in an objects.added message (the same JSON
// as taxii.AddedObject).
type Added struct {
	Collection string `json:"collection"`
	ID         string `json:"id"`
	Version    string `json:"version"`
	DateAdded  string `json:"date_added,omitempty"`
}

// DurableSubject is the subject of a participant's notifications in the
// durable stream.
func DurableSubject(participant string) string { return "kurultai.notify." + participant }

// LiveSubject is the subject of a participant's live notifications
// (plain NATS: for pages that are open right now).
func LiveSubject(participant string) string { return "notify." + participant }

// Message is a notification as published on the bus and listed by the API.
type Message struct {
	ID        string            `json:"id"`
	Situation string            `json:"situation"`
	Kind      string            `json:"kind"`
	To        string            `json:"to"`
	Role      string            `json:"role,omitempty"` // only the participant's users in this mechanism role
	Params    map[string]string `json:"params,omitempty"`
	Due       *time.Time        `json:"due,omitempty"`
	At        time.Time         `json:"at"`
	Text      string            `json:"text"`
}

// NewMessage returns the message of a notification.
func NewMessage(n crisis.Notification) Message {
	m := Message{ID: n.ID, Situation: n.Situation, Kind: n.Kind, To: n.To, Role: string(n.Role), Params: n.Params, At: n.At.UTC(), Text: Describe(n)}
	if !n.Due.IsZero() {
		d := n.Due.UTC()
		m.Due = &d
	}
	return m
}

// Publish sends a notification: durably, with its id as the message id
// (the stream stores it once however many processes send it), then live.
// It reports whether the stream already had it.
func Publish(ctx context.Context, bus Bus, n crisis.Notification) (duplicate bool, err error) {
	data, err := json.Marshal(NewMessage(n))
	if err != nil {
		return false, fmt.Errorf("clock: encode notification: %w", err)
	}
	ack, err := bus.PublishDurable(ctx, DurableSubject(n.To), data, n.ID)
	if err != nil {
		return false, fmt.Errorf("clock: publish %s: %w", n.ID, err)
	}
	if ack.Duplicate {
		return true, nil
	}
	if err := bus.Publish(ctx, LiveSubject(n.To), data); err != nil {
		return false, fmt.Errorf("clock: publish %s live: %w", n.ID, err)
	}
	return false, nil
}

// PublishAll publishes notifications in order and returns the errors.
func PublishAll(ctx context.Context, bus Bus, notes []crisis.Notification) error {
	var errs []error
	for _, n := range notes {
		if _, err := Publish(ctx, bus, n); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Describe returns a notification's text in English. Notifications carry
// names, ids and times, never a record's text, so neither does this.
func Describe(n crisis.Notification) string {
	p := func(k string) string { return n.Params[k] }
	when := func(k string) string {
		if t, err := stix.ParseTime(p(k)); err == nil {
			return t.UTC().Format("2006-01-02 15:04 MST")
		}
		return p(k)
	}
	switch n.Kind {
	case crisis.NoteAlertRaised:
		return fmt.Sprintf("%s raised the alert %q: onset %s, affecting %s", p("by"), p("title"), when("onset"), p("affected"))
	case crisis.NoteModeChanged:
		return fmt.Sprintf("%s moved the situation from %s to %s", p("by"), p("from"), p("to"))
	case crisis.NoteConsultationRequested:
		return fmt.Sprintf("%s requests consultation", p("by"))
	case crisis.NoteConsentAsked:
		return fmt.Sprintf("%s asks for consent to public statements and meetings about the situation; the answer is due %s", p("by"), when("expires"))
	case crisis.NoteConsentAnswered:
		return fmt.Sprintf("%s answered the consent request: %s", p("by"), p("answer"))
	case crisis.NoteBrieferDesignated:
		return fmt.Sprintf("%s designated %s to brief the members", p("by"), p("briefer"))
	case crisis.NoteReportPosted:
		return strings.TrimSuffix(fmt.Sprintf("%s posted a situation report: %s", p("by"), p("title")), ": ")
	case crisis.NoteStatementDrafted:
		return fmt.Sprintf("%s drafted %q (version %s)", p("by"), p("title"), p("version"))
	case crisis.NoteSilenceOpened:
		return fmt.Sprintf("%s put draft %s under silence (%s) until %s", p("by"), p("draft"), p("urgency"), when("expires"))
	case crisis.NoteSilenceBroken:
		return fmt.Sprintf("%s broke silence on draft %s (%s): the text is not adopted", p("by"), p("draft"), p("kind"))
	case crisis.NoteRedraft:
		return fmt.Sprintf("%s broke silence on your draft %s (%s): redraft it", p("by"), p("draft"), p("kind"))
	case crisis.NoteMeetingRequired:
		return fmt.Sprintf("%s broke silence on draft %s: a meeting is due by %s", p("by"), p("draft"), n.Due.UTC().Format("2006-01-02 15:04 MST"))
	case crisis.NoteSilenceExtended:
		return fmt.Sprintf("%s extended silence procedure %s until %s", p("by"), p("silence"), when("expires"))
	case crisis.NoteStatementAdopted:
		return fmt.Sprintf("%s declared the statement %q adopted", p("by"), p("title"))
	case crisis.NoteStatementNotAdopted:
		return fmt.Sprintf("%s declared the text under silence procedure %s not adopted", p("by"), p("silence"))
	case crisis.NoteMeetingConvened:
		return fmt.Sprintf("%s convened a meeting of %s at %s", p("by"), strings.ReplaceAll(p("level"), "_", " "), when("start"))
	case crisis.NoteMeetingRecorded:
		return fmt.Sprintf("%s recorded the outcome of meeting %s", p("by"), p("meeting"))
	case crisis.NoteAssistanceRequested:
		return fmt.Sprintf("%s requests assistance", p("by"))
	case crisis.NoteAssistanceOffered:
		return fmt.Sprintf("%s offers assistance", p("by"))
	case crisis.NoteAssistanceMessage:
		return fmt.Sprintf("%s: %s on assistance %s", p("by"), strings.ReplaceAll(p("message"), "_", " "), p("request"))
	case crisis.NoteSilenceExpired:
		return fmt.Sprintf("Silence on draft %s expired unbroken at %s: declare the outcome", p("draft"), when("expires"))
	case crisis.NoteConsentTimedOut:
		return fmt.Sprintf("Nobody answered the consent request by %s: the work goes ahead on the %s path", when("expires"), strings.ReplaceAll(p("path"), "_", " "))
	case crisis.NoteReminder:
		return fmt.Sprintf("Reminder (%s): %s is due %s", p("point"), p("title"), when("due"))
	case crisis.NoteOverdue:
		return fmt.Sprintf("%s deadline(s) overdue: %s", p("count"), p("items"))
	}
	return n.Kind
}
