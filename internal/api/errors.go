package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// mediaError is a request in a media type the API does not take (415),
// which has no domain code.
type mediaError struct{ message string }

func (e *mediaError) Error() string { return "Content-Type: " + e.message }

// errorBody is the JSON of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
	// ID identifies an internal error in the server log.
	ID string `json:"id,omitempty"`
}

// httpStatus maps an error to its HTTP status. It is the one place where
// domain codes become HTTP statuses.
func httpStatus(err error) int {
	var me *mediaError
	if errors.As(err, &me) {
		return http.StatusUnsupportedMediaType
	}
	return kurultai.ErrorCode(err).HTTPStatus()
}

// newErrorBody describes err safely: internal errors say "internal error".
func newErrorBody(err error, status int) errorBody {
	var me *mediaError
	var de *kurultai.Error
	switch {
	case errors.As(err, &me):
		return errorBody{errorDetail{Code: "unsupported_media_type", Field: "Content-Type", Message: me.message}}
	case status == http.StatusInternalServerError:
		return errorBody{errorDetail{Code: string(kurultai.CodeInternal), Message: "internal error"}}
	case errors.As(err, &de):
		return errorBody{errorDetail{Code: string(de.Code), Field: de.Field, Message: de.Message}}
	}
	return errorBody{errorDetail{Code: string(kurultai.CodeInternal), Message: "internal error"}}
}

// writeError renders err. Internal errors are logged with an id that the
// response carries too.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status := httpStatus(err)
	body := newErrorBody(err, status)
	switch status {
	case http.StatusInternalServerError:
		body.Error.ID = s.newID()
		s.log.ErrorContext(r.Context(), "api: internal error", "path", r.URL.Path, "error_id", body.Error.ID, "err", err)
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", kurultai.RetryAfter)
		s.log.WarnContext(r.Context(), "api: unavailable", "path", r.URL.Path, "err", err)
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Basic realm="kurultai"`)
	}
	data, jerr := json.Marshal(body)
	if jerr != nil { // cannot happen: the body holds only strings
		data = []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	writeJSON(w, status, data)
}

// writeJSON writes a complete JSON response.
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
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
