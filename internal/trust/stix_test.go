package trust

import (
	"strings"
	"testing"
	"time"

	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/stix"
)

func TestSystemObjectsParse(t *testing.T) {
	t.Parallel()
	by := "identity--0b4f6c2e-1d3a-4f57-9a8e-2c6d5b7e9f10"
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d := testDocument(t, "KZ", "a", "b")
	objs := map[string][]byte{
		"signature extension": ExtensionDefinition(by, created),
		"keys extension":      KeysExtensionDefinition(by, created),
		"node identity":       NodeIdentity(d, "Kurultai node of KZ", by, []string{kurultai.TLP2ClearID}),
	}
	s := testSigner(t, "a", "KZ")
	for name, raw := range objs {
		v, err := stix.ParseObject(raw)
		if err != nil {
			t.Errorf("%s: %v\n%s", name, err, raw)
			continue
		}
		if name == "node identity" {
			if v.ID != d.Node || v.Created != d.Keys[0].Created || v.Modified != d.Keys[1].Created {
				t.Errorf("node identity: id %s created %s modified %s", v.ID, v.Created, v.Modified)
			}
		}
		signed := mustSign(t, s, raw)
		if _, err := stix.ParseObject(signed); err != nil {
			t.Errorf("%s signed: %v", name, err)
		}
	}
	if id := ExtensionDefinition(by, created); !strings.Contains(string(id), `"id":"`+ExtensionID+`"`) {
		t.Errorf("signature extension-definition has another id: %s", id)
	}
}

func TestNodeIdentity(t *testing.T) {
	t.Parallel()
	one := NodeIdentity(testDocument(t, "KZ", "a"), "node", "", nil)
	if string(one) != string(NodeIdentity(testDocument(t, "KZ", "a"), "node", "", nil)) {
		t.Error("NodeIdentity is not deterministic")
	}
	two := NodeIdentity(testDocument(t, "KZ", "a", "b"), "node", "", nil)
	v1, err := stix.ParseObject(one)
	if err != nil {
		t.Fatal(err)
	}
	v2, err := stix.ParseObject(two)
	if err != nil {
		t.Fatal(err)
	}
	if v1.ID != v2.ID || v1.Created != v2.Created || !v2.Modified.After(v1.Modified) {
		t.Errorf("a rotation should make a new version of the same identity: %s %s / %s %s", v1.ID, v1.Modified, v2.ID, v2.Modified)
	}
	for _, want := range []string{KeysExtensionID, `"participant":"KZ"`, `"identity_class":"system"`, b64.EncodeToString(testKey("b").Public().(ed25519PublicKey))} {
		if !strings.Contains(string(two), want) {
			t.Errorf("node identity lacks %s:\n%s", want, two)
		}
	}
	if NodeIdentityID("KZ") == NodeIdentityID("UZ") || NodeIdentityID("KZ") != NodeIdentityID("KZ") {
		t.Error("NodeIdentityID is not a function of the participant")
	}
}
