package seed

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// demoObject is one shared object of the demo, written by a participant.
type demoObject struct {
	by  string
	obj map[string]any
}

// demoObjects stores a few objects that show releasability at work: each
// participant sees a different subset.
func demoObjects(ctx context.Context, st kurultai.Store, parts []kurultai.Participant, signer Signer, clock kurultai.Clock) error {
	byCode := map[string]kurultai.Participant{}
	for _, p := range parts {
		byCode[p.Code] = p
	}
	for _, d := range DemoObjects() {
		raw, err := json.Marshal(d.obj)
		if err != nil {
			return fmt.Errorf("seed: demo object: %w", err)
		}
		if raw, err = signer.Sign(raw); err != nil {
			return fmt.Errorf("seed: demo object: %w", err)
		}
		p, ok := byCode[d.by]
		if !ok {
			continue // the charter in use has no such participant
		}
		who := kurultai.Principal{Username: "demo", Participant: p.Code, Kind: p.Kind, Role: kurultai.RoleLiaison}
		if err := AddRaw(ctx, st, who, IntelCollectionID, [][]byte{raw}, clock); err != nil {
			return err
		}
	}
	return nil
}

// DemoObjects returns the demo's shared objects, each with its writer. The
// facts are those of January 2022 in PRODUCT.md.
func DemoObjects() []demoObject {
	obj := func(typ, name, created string, by string, markings []string, extra map[string]any) demoObject {
		o := map[string]any{
			"type":                typ,
			"spec_version":        "2.1",
			"id":                  stableID(typ, "demo:"+name),
			"created":             created,
			"modified":            created,
			"created_by_ref":      IdentityID(by),
			"object_marking_refs": markings,
		}
		if name != "" && typ != "note" {
			o["name"] = name
		}
		for k, v := range extra {
			o[k] = v
		}
		return demoObject{by: by, obj: o}
	}
	rel := AudienceMarkingID
	return []demoObject{
		obj("report", "LPG price protests in Zhanaozen", "2022-01-02T18:00:00.000Z", "KZ",
			[]string{kurultai.TLP2AmberID, rel(kurultai.AudienceMembers)},
			map[string]any{"published": "2022-01-02T18:00:00.000Z", "report_types": []string{"threat-report"},
				"description": "Protests over the doubling of LPG prices began in Zhanaozen, Mangystau region.",
				"object_refs": []string{stableID("location", "demo:Zhanaozen")}}),
		obj("location", "Zhanaozen", "2022-01-02T18:00:00.000Z", "KZ",
			[]string{kurultai.TLP2ClearID, rel(kurultai.AudiencePublic)},
			map[string]any{"country": "KZ", "region": "central-asia", "latitude": 43.34, "longitude": 52.86}),
		obj("note", "Almaty riots assessment", "2022-01-05T09:00:00.000Z", "UZ",
			[]string{kurultai.TLP2RedID, rel("KZ")},
			map[string]any{"abstract": "Almaty riots assessment", "content": "Assessment shared with Kazakhstan only.",
				"object_refs": []string{stableID("location", "demo:Zhanaozen")}}),
		obj("report", "Statement of solidarity", "2022-01-06T12:00:00.000Z", "TR",
			[]string{kurultai.TLP2GreenID, rel(kurultai.AudienceMembersObservers)},
			map[string]any{"published": "2022-01-06T12:00:00.000Z", "report_types": []string{"campaign"},
				"description": "The chairmanship's note on the first statement of solidarity, four days after onset.",
				"object_refs": []string{stableID("location", "demo:Zhanaozen")}}),
		obj("note", "Observer's own working note", "2022-01-07T08:00:00.000Z", "HU",
			[]string{kurultai.TLP2AmberID},
			map[string]any{"content": "No audience set: only Hungary sees this note.",
				"object_refs": []string{stableID("location", "demo:Zhanaozen")}}),
	}
}
