package api

import (
	"encoding/json"
	"fmt"
	"net/http"

	"go.yaml.in/yaml/v3"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// getCharter returns the effective charter: JSON by default (the YAML
// document's structure: durations as "12h"), or the YAML itself with
// ?format=yaml. Every participant may read it: it is the organization's
// published procedure.
func (s *Server) getCharter(w http.ResponseWriter, r *http.Request, p kurultai.Principal) error {
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "yaml" {
		return kurultai.FieldError("format", "%q is not json or yaml", clip(format))
	}
	doc, err := s.m.Charter.Marshal()
	if err != nil {
		return err
	}
	if err := s.audit(r.Context(), p, kurultai.AuditEntry{Action: AuditCharterRead, Detail: "charter " + s.m.Charter.Version}); err != nil {
		return err
	}
	if format == "yaml" {
		w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(doc)
		return nil
	}
	var tree any
	if err := yaml.Unmarshal(doc, &tree); err != nil {
		return fmt.Errorf("api: charter as JSON: %w", err)
	}
	body, err := json.Marshal(tree)
	if err != nil {
		return fmt.Errorf("api: charter as JSON: %w", err)
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}
