package charter

import (
	"bytes"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Marshal writes the charter as YAML that Load reads back to an equal
// charter: the effective charter, defaults and implied deadlines included.
func (c *Charter) Marshal() ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Effective charter %s of the %s.\n", c.Version, c.Organization.Name)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(c); err != nil {
		return nil, fmt.Errorf("charter: marshal: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("charter: marshal: %w", err)
	}
	return b.Bytes(), nil
}

// MarshalYAML writes a release as its audience alone when the author may
// not choose another.
func (r Release) MarshalYAML() (any, error) {
	if !r.AuthorMayChoose {
		return r.Audience, nil
	}
	type plain Release
	return plain(r), nil
}
