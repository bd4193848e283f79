package taxii

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// errorMessage is a TAXII 2.1 error message (section 3.6.1).
type errorMessage struct {
	Title           string            `json:"title"`
	Description     string            `json:"description,omitempty"`
	ErrorID         string            `json:"error_id,omitempty"`
	ErrorCode       string            `json:"error_code,omitempty"`
	HTTPStatus      string            `json:"http_status,omitempty"`
	ExternalDetails string            `json:"external_details,omitempty"`
	Details         map[string]string `json:"details,omitempty"`
}

// mediaError is a content negotiation failure, which has no domain code:
// 406 for an unacceptable Accept, 415 for an unsupported Content-Type.
type mediaError struct {
	status  int
	field   string // "Accept" or "Content-Type"
	message string
}

func (e *mediaError) Error() string { return e.field + ": " + e.message }

// httpStatus maps an error to its HTTP status. It is the one place where
// domain codes become HTTP statuses.
func httpStatus(err error) int {
	var me *mediaError
	if errors.As(err, &me) {
		return me.status
	}
	return kurultai.ErrorCode(err).HTTPStatus()
}

// errorBody builds the TAXII error message for err, which is safe to show:
// internal errors say "internal error" and nothing else.
func errorBody(err error, status int) errorMessage {
	msg := errorMessage{
		Title:      http.StatusText(status),
		HTTPStatus: strconv.Itoa(status),
	}
	var me *mediaError
	var de *kurultai.Error
	switch {
	case errors.As(err, &me):
		msg.Title += ": " + me.field
		msg.Description = me.Error()
		msg.Details = map[string]string{"field": me.field}
		if me.status == http.StatusNotAcceptable {
			msg.ErrorCode = "not_acceptable"
		} else {
			msg.ErrorCode = "unsupported_media_type"
		}
	case status == http.StatusInternalServerError:
		msg.Description = "internal error"
		msg.ErrorCode = string(kurultai.CodeInternal)
	case errors.As(err, &de):
		msg.Description = kurultai.ErrorMessage(err)
		msg.ErrorCode = string(de.Code)
		if de.Field != "" {
			msg.Title += ": " + de.Field
			msg.Details = map[string]string{"field": de.Field}
		}
	}
	return msg
}

// writeError renders err as a TAXII error message. Internal errors are
// logged with an error id that the response also carries.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status := httpStatus(err)
	msg := errorBody(err, status)
	switch status {
	case http.StatusInternalServerError:
		msg.ErrorID = s.newID()
		s.log.ErrorContext(r.Context(), "taxii: internal error", "path", r.URL.Path, "error_id", msg.ErrorID, "err", err)
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", kurultai.RetryAfter)
		s.log.WarnContext(r.Context(), "taxii: unavailable", "path", r.URL.Path, "err", err)
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Basic realm="kurultai"`)
	}
	body, jerr := json.Marshal(msg)
	if jerr != nil { // cannot happen: msg holds only strings
		body = []byte(`{"title":"Internal Server Error"}`)
	}
	writeJSON(w, status, body)
}

// writeJSON writes a complete TAXII JSON response.
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", MediaTypeTAXII)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// render marshals v and writes it with status.
func (s *Server) render(w http.ResponseWriter, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	writeJSON(w, status, body)
	return nil
}
