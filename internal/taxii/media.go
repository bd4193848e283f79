package taxii

import (
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// checkAccept reports, as a 406 mediaError, an Accept header that admits
// no TAXII 2.1 response. An empty header accepts anything.
func checkAccept(header string) error {
	if strings.TrimSpace(header) == "" {
		return nil
	}
	for part := range strings.SplitSeq(header, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || refused(params) {
			continue
		}
		switch mt {
		case "*/*", "application/*":
			return nil
		case "application/taxii+json":
			if v, ok := params["version"]; !ok || v == "2.1" {
				return nil
			}
		}
	}
	return &mediaError{
		status:  http.StatusNotAcceptable,
		field:   "Accept",
		message: "this server answers only " + MediaTypeTAXII,
	}
}

// refused reports whether media type parameters carry q=0.
func refused(params map[string]string) bool {
	q, ok := params["q"]
	if !ok {
		return false
	}
	f, err := strconv.ParseFloat(q, 64)
	return err != nil || f <= 0
}

// checkContentType reports, as a 415 mediaError, a request body type other
// than a TAXII or STIX JSON document of version 2.1 (or without version).
func checkContentType(header string) error {
	mt, params, err := mime.ParseMediaType(header)
	if err == nil && (mt == "application/taxii+json" || mt == "application/stix+json") {
		if v, ok := params["version"]; !ok || v == "2.1" {
			return nil
		}
	}
	return &mediaError{
		status:  http.StatusUnsupportedMediaType,
		field:   "Content-Type",
		message: "send " + MediaTypeTAXII,
	}
}
