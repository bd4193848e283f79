package ops

import (
	"log/slog"
	"net/http"
)

// Writer is a ResponseWriter that records whether the response has
// started, so that a surface knows whether it may still answer with an
// error.
type Writer struct {
	http.ResponseWriter
	Wrote bool
}

// WriteHeader implements http.ResponseWriter.
func (w *Writer) WriteHeader(code int) {
	w.Wrote = true
	w.ResponseWriter.WriteHeader(code)
}

// Write implements http.ResponseWriter.
func (w *Writer) Write(b []byte) (int, error) {
	w.Wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *Writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Recover, deferred by a surface's handler wrapper, turns a panic into a
// logged error: answered with internalError while the response has not
// started, else an aborted response (the client sees it broken, not
// truncated). http.ErrAbortHandler passes through.
func Recover(w *Writer, r *http.Request, log *slog.Logger, surface string, internalError func()) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	log.ErrorContext(r.Context(), surface+": panic in handler", "path", r.URL.Path, "panic", v)
	if w.Wrote {
		panic(http.ErrAbortHandler)
	}
	internalError()
}
