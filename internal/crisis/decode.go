package crisis

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// NewAction returns an empty action of the named kind, ready to decode
// parameters into.
func NewAction(name charter.Action) (Action, bool) {
	var a Action
	switch name {
	case charter.ActRaiseAlert:
		a = &RaiseAlert{}
	case charter.ActRequestConsultation:
		a = &RequestConsultation{}
	case charter.ActAskConsent:
		a = &AskConsent{}
	case charter.ActAnswerConsent:
		a = &AnswerConsent{}
	case charter.ActDesignateBriefer:
		a = &DesignateBriefer{}
	case charter.ActPostReport:
		a = &PostReport{}
	case charter.ActDraftStatement:
		a = &DraftStatement{}
	case charter.ActOpenSilence:
		a = &OpenSilence{}
	case charter.ActBreakSilence:
		a = &BreakSilence{}
	case charter.ActExtendSilence:
		a = &ExtendSilence{}
	case charter.ActDeclare:
		a = &Declare{}
	case charter.ActChangeMode:
		a = &ChangeMode{}
	case charter.ActClose:
		a = &Close{}
	case charter.ActConveneMeeting:
		a = &ConveneMeeting{}
	case charter.ActRecordMeeting:
		a = &RecordMeeting{}
	case charter.ActRequestAssistance:
		a = &RequestAssistance{}
	case charter.ActOfferAssistance:
		a = &OfferAssistance{}
	case charter.ActAnswerAssistance:
		a = &AnswerAssistance{}
	case charter.ActAcceptAssistance:
		a = &AcceptAssistance{}
	case charter.ActMarkDelivered:
		a = &MarkDelivered{}
	case charter.ActCancelAssistance:
		a = &CancelAssistance{}
	case charter.ActCloseAssistance:
		a = &CloseAssistance{}
	default:
		return nil, false
	}
	return a, true
}

// DecodeAction reads the parameters of the named action from a JSON
// object. Unknown fields, wrong types and trailing data are
// *kurultai.Error CodeInvalid naming the field.
func DecodeAction(name string, body []byte) (Action, error) {
	a, ok := NewAction(charter.Action(name))
	if !ok {
		return nil, kurultai.FieldError("action", "%q is not an action of the crisis mechanism", clip(name))
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(a); err != nil {
		return nil, decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, kurultai.FieldError("", "trailing data after the parameters")
	}
	return a, nil
}

func decodeError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return kurultai.FieldError(te.Field, "must be %s, not a JSON %s", te.Type, te.Value)
	case errors.As(err, &se):
		return kurultai.FieldError("", "not valid JSON at byte %d: %v", se.Offset, se)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return kurultai.FieldError(clip(f), "unknown field")
	}
	return kurultai.FieldError("", "%v", fmt.Errorf("bad parameters: %w", err))
}
