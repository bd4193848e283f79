package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
)

const collPath = "/taxii2/root/collections/" + seed.IntelCollectionID

func indicator(name, modified string, markings ...string) (id string, raw string) {
	id = "indicator--" + uuid.NewSHA1(uuid.NameSpaceURL, []byte("e2e:"+name)).String()
	refs, _ := json.Marshal(markings)
	return id, fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":%q,"created":"2022-01-03T10:00:00.000Z","modified":%q,"name":%q,"pattern":"[ipv4-addr:value = '203.0.113.7']","pattern_type":"stix","valid_from":"2022-01-03T10:00:00Z","labels":["e2e"],"x_kurultai_test":{"keep":"me"},"object_marking_refs":%s}`,
		id, modified, name, refs)
}

// TestEndToEndReleasability boots the real binary in demo mode and speaks
// TAXII 2.1 over HTTP as two liaisons of different members and an observer.
func TestEndToEndReleasability(t *testing.T) { storeVariants(t, endToEndReleasability) }

func endToEndReleasability(t *testing.T, extra []string) {
	dir := t.TempDir()
	p := startBinary(t, append([]string{"demo", "--data", dir, "--listen", "127.0.0.1:0"}, extra...)...)
	acc := readAccounts(t, dir)
	client := func(name string) *taxiiClient {
		a, ok := acc[name]
		if !ok {
			t.Fatalf("no demo account %q", name)
		}
		return &taxiiClient{t: t, base: p.url, user: a.Username, pass: a.Password}
	}
	kz, uz, hu := client("kz-liaison"), client("uz-liaison"), client("hu-liaison")
	rel := seed.AudienceMarkingID
	custom := "marking-definition--" + uuid.NewSHA1(uuid.NameSpaceURL, []byte("e2e:custom")).String()
	customRaw := fmt.Sprintf(`{"type":"marking-definition","spec_version":"2.1","id":%q,"created":"2022-01-03T09:00:00.000Z","name":"REL TO UZ HU","extensions":{%q:{"extension_type":"property-extension","audience":["UZ","HU"]}}}`,
		custom, kurultai.ReleasabilityExtensionID)

	const v1, v2 = "2022-01-03T10:00:00.000Z", "2022-01-04T10:00:00.000Z"
	idA, a := indicator("A members green", v1, kurultai.TLP2GreenID, rel("members"))
	idB, b := indicator("B KZ only", v1, kurultai.TLP2AmberID, rel("KZ"))
	idC, c := indicator("C members+observers green", v1, kurultai.TLP2GreenID, rel("members+observers"))
	idD, d := indicator("D members+observers red", v1, kurultai.TLP2RedID, rel("members+observers"))
	idE, e := indicator("E HU red", v1, kurultai.TLP2RedID, rel("HU"))
	idF, f := indicator("F no audience", v1, kurultai.TLP2GreenID)
	idG, g := indicator("G custom UZ HU", v1, kurultai.TLP2AmberID, custom)
	_, bad := indicator("bad", "2021-01-01T00:00:00.000Z", kurultai.TLP2GreenID, rel("members")) // modified before created
	_, unknown := indicator("unknown marking", v1, "marking-definition--"+uuid.NewString())

	body := "{\"objects\":[" + strings.Join([]string{customRaw, a, b, c, d, e, f, g, bad, unknown}, ",") + "]}"
	code, _, resp := kz.do(http.MethodPost, collPath+"/objects/", []byte(body))
	if code != http.StatusAccepted {
		t.Fatalf("POST = %d: %s", code, resp)
	}
	var status struct {
		ID        string `json:"id"`
		Status    string `json:"status"`
		Success   int    `json:"success_count"`
		Failure   int    `json:"failure_count"`
		Failures  []kurultai.StatusDetail
		Successes []kurultai.StatusDetail
	}
	if err := json.Unmarshal(resp, &status); err != nil {
		t.Fatal(err)
	}
	if status.Success != 8 || status.Failure != 2 || status.Status != "complete" {
		t.Fatalf("status = %+v, want 8 stored (marking + 7 indicators), 2 failed", status)
	}
	for _, fl := range status.Failures {
		if !strings.Contains(fl.Message, "modified") && !strings.Contains(fl.Message, "marking") {
			t.Errorf("failure message %q names neither the field nor the marking", fl.Message)
		}
	}
	// The status belongs to its writer.
	var st map[string]any
	kz.getJSON("/taxii2/root/status/"+status.ID+"/", &st)
	if code, _, _ := uz.do(http.MethodGet, "/taxii2/root/status/"+status.ID+"/", nil); code != http.StatusNotFound {
		t.Errorf("UZ reading KZ's status = %d, want 404", code)
	}

	// UZ writes one of its own, released to members.
	idU, u := indicator("U from UZ to members", v1, kurultai.TLP2GreenID, rel("members"))
	if code, _, resp := uz.do(http.MethodPost, collPath+"/objects/", []byte(`{"objects":[`+u+`]}`)); code != http.StatusAccepted {
		t.Fatalf("UZ POST = %d: %s", code, resp)
	}
	// UZ may not write a version of KZ's object.
	_, aByUZ := indicator("A members green", v2, kurultai.TLP2GreenID, rel("members"))
	code, _, resp = uz.do(http.MethodPost, collPath+"/objects/", []byte(`{"objects":[`+aByUZ+`]}`))
	if code != http.StatusAccepted || !strings.Contains(string(resp), `"failure_count":1`) {
		t.Fatalf("UZ writing KZ's object = %d %s, want 202 with one failure", code, resp)
	}

	want := map[*taxiiClient][]string{
		kz: {idA, idB, idC, idD, idE, idF, idG, idU},
		uz: {idA, idC, idD, idG, idU},
		hu: {idC, idE, idG},
	}
	ours := map[string]bool{}
	for _, id := range want[kz] {
		ours[id] = true
	}
	for cl, ids := range want {
		t.Run(cl.user, func(t *testing.T) {
			cl.t = t
			checkVisible(t, cl, ids, ours)
		})
	}

	// A newer version of A narrows it to KZ: UZ loses both versions.
	_, a2 := indicator("A members green", v2, kurultai.TLP2GreenID, rel("KZ"))
	if code, _, resp := kz.do(http.MethodPost, collPath+"/objects/", []byte(`{"objects":[`+a2+`]}`)); code != http.StatusAccepted {
		t.Fatalf("narrowing POST = %d: %s", code, resp)
	}
	kz.t, uz.t = t, t
	var versions struct {
		Versions []string `json:"versions"`
	}
	kz.getJSON(collPath+"/objects/"+idA+"/versions/", &versions)
	if len(versions.Versions) != 2 {
		t.Errorf("KZ sees versions %v of A, want 2", versions.Versions)
	}
	for _, path := range []string{"/objects/" + idA + "/", "/objects/" + idA + "/versions/", "/objects/" + idA + "/?match[version]=all"} {
		if code, _, body := uz.do(http.MethodGet, collPath+path, nil); code != http.StatusNotFound {
			t.Errorf("UZ GET %s after narrowing = %d %s, want 404", path, code, body)
		}
	}
	var env envelope
	uz.getJSON(collPath+"/objects/?match[version]=all&match[id]="+idA, &env)
	if len(env.Objects) != 0 {
		t.Errorf("UZ lists %d versions of narrowed A, want 0", len(env.Objects))
	}

	// Delete: only the originator.
	if code, _, _ := uz.do(http.MethodDelete, collPath+"/objects/"+idC+"/", nil); code != http.StatusForbidden && code != http.StatusNotFound {
		t.Errorf("UZ DELETE of KZ's object = %d, want 403 or 404", code)
	}
	if code, _, body := kz.do(http.MethodDelete, collPath+"/objects/"+idC+"/?match[version]=all", nil); code != http.StatusOK {
		t.Errorf("KZ DELETE = %d %s", code, body)
	}
	if code, _, _ := hu.do(http.MethodGet, collPath+"/objects/"+idC+"/", nil); code != http.StatusNotFound {
		t.Errorf("GET after delete = %d, want 404", code)
	}

	// Everyone reads the releasability extension-definition.
	for _, cl := range []*taxiiClient{kz, uz, hu} {
		var ext envelope
		cl.getJSON(collPath+"/objects/?match[type]=extension-definition", &ext)
		found := false
		for _, o := range ext.Objects {
			found = found || o["name"] == kurultai.ReleasabilityExtensionName
		}
		if !found {
			t.Errorf("%s does not see the %s extension-definition", cl.user, kurultai.ReleasabilityExtensionName)
		}
	}
}

// checkVisible checks that, among the test's own objects, the client sees
// exactly want through every TAXII endpoint that reveals objects.
func checkVisible(t *testing.T, c *taxiiClient, want []string, ours map[string]bool) {
	t.Helper()
	sort.Strings(want)
	wantSet := map[string]bool{}
	for _, id := range want {
		wantSet[id] = true
	}
	// Objects, paged two at a time.
	var got []string
	next, pages := "", 0
	for {
		q := url.Values{"match[type]": {"indicator"}, "limit": {"2"}}
		if next != "" {
			q.Set("next", next)
		}
		var env envelope
		h := c.getJSON(collPath+"/objects/?"+q.Encode(), &env)
		pages++
		if len(env.Objects) > 2 {
			t.Fatalf("page of %d objects, limit 2", len(env.Objects))
		}
		if len(env.Objects) > 0 && (h.Get("X-TAXII-Date-Added-First") == "" || h.Get("X-TAXII-Date-Added-Last") == "") {
			t.Errorf("page lacks X-TAXII-Date-Added-First/Last headers")
		}
		for _, o := range env.Objects {
			id, _ := o["id"].(string)
			if ours[id] {
				got = append(got, id)
			}
			if ext, ok := o["x_kurultai_test"].(map[string]any); ours[id] && (!ok || ext["keep"] != "me") {
				t.Errorf("custom property of %s did not round-trip: %v", id, o)
			}
		}
		if !env.More {
			break
		}
		next = env.Next
		if pages > 100 {
			t.Fatal("paging does not end")
		}
	}
	sort.Strings(got)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("objects: got %v\nwant %v", got, want)
	}
	// Manifest.
	var m manifest
	c.getJSON(collPath+"/manifest/?match[type]=indicator&limit=1000", &m)
	var mids []string
	for _, o := range m.Objects {
		if ours[o.ID] {
			mids = append(mids, o.ID)
		}
	}
	sort.Strings(mids)
	if strings.Join(mids, ",") != strings.Join(want, ",") {
		t.Errorf("manifest: got %v\nwant %v", mids, want)
	}
	// Object by id and versions: visible ones answer, hidden ones are
	// indistinguishable from a missing id.
	_, _, missing := c.do(http.MethodGet, collPath+"/objects/indicator--"+uuid.NewString()+"/", nil)
	for id := range ours {
		code, _, body := c.do(http.MethodGet, collPath+"/objects/"+id+"/", nil)
		vcode, _, _ := c.do(http.MethodGet, collPath+"/objects/"+id+"/versions/", nil)
		switch {
		case wantSet[id] && (code != http.StatusOK || vcode != http.StatusOK):
			t.Errorf("GET %s = %d, versions %d; want 200", id, code, vcode)
		case !wantSet[id] && (code != http.StatusNotFound || vcode != http.StatusNotFound):
			t.Errorf("GET hidden %s = %d, versions %d; want 404", id, code, vcode)
		case !wantSet[id] && !sameErrorBody(body, missing):
			t.Errorf("404 for hidden %s differs from a missing id's:\n%s\n%s", id, body, missing)
		}
	}
}

// sameErrorBody compares two TAXII error bodies, ignoring any per-request id.
func sameErrorBody(a, b []byte) bool {
	var x, y map[string]any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	delete(x, "error_id")
	delete(y, "error_id")
	xs, _ := json.Marshal(x)
	ys, _ := json.Marshal(y)
	return string(xs) == string(ys)
}
