package taxii

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// writeEnvelope writes a page as a TAXII envelope. Each object is the JSON
// the store kept, copied as is: serving never decodes an object.
func (s *Server) writeEnvelope(w http.ResponseWriter, page kurultai.Page) error {
	head := envelopeHead(page)
	size := len(head) + len(envelopeTail(page))
	for i, v := range page.Items {
		if len(v.Raw) < 2 || v.Raw[0] != '{' {
			return errors.New("taxii: stored object " + strconv.Itoa(i) + " has no JSON")
		}
		size += len(v.Raw)
	}
	if n := len(page.Items); n > 1 {
		size += n - 1 // commas
	}
	setDateAdded(w, page)
	h := w.Header()
	h.Set("Content-Type", MediaTypeTAXII)
	h.Set("Content-Length", strconv.Itoa(size))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	s.metrics.ObjectsServed.Add(float64(len(page.Items)))
	// Write errors mean the client went away; the status is sent.
	if _, err := io.WriteString(w, head); err != nil {
		return nil
	}
	comma := []byte{','}
	for i, v := range page.Items {
		if i > 0 {
			if _, err := w.Write(comma); err != nil {
				return nil
			}
		}
		if _, err := w.Write(v.Raw); err != nil {
			return nil
		}
	}
	_, _ = io.WriteString(w, envelopeTail(page))
	return nil
}

// envelopeHead is the envelope up to the first object.
func envelopeHead(page kurultai.Page) string {
	head := `{"more":false`
	if page.More {
		// The token is base64url: nothing to escape.
		head = `{"more":true,"next":"` + encodeCursor(page.Next) + `"`
	}
	if len(page.Items) > 0 {
		head += `,"objects":[`
	}
	return head
}

// envelopeTail closes what envelopeHead opened.
func envelopeTail(page kurultai.Page) string {
	if len(page.Items) > 0 {
		return "]}"
	}
	return "}"
}
