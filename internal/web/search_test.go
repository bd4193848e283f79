package web

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/kurultai/kurultai/internal/kurultai"
)

// TestIntelSearch finds objects by the words of their name and
// description, pages through the matches and never across what the user
// may not see.
func TestIntelSearch(t *testing.T) {
	w := newWorld(t)
	var raws []string
	for i := range intelPageSize + 5 {
		raws = append(raws, intelObject(fmt.Sprintf("%08x-0000-4000-8000-000000000000", i), fmt.Sprintf("Fuel price note %d", i), kurultai.TLP2GreenID, kurultai.AudienceMembers))
	}
	raws = append(raws, intelObject("aaaaaaaa-0000-4000-8000-000000000000", "Border crossing", kurultai.TLP2GreenID, kurultai.AudienceMembers))
	raws = append(raws, intelObject("bbbbbbbb-0000-4000-8000-000000000000", "Fuel price secret", kurultai.TLP2AmberID, "UZ"))
	w.add("kz-liaison", raws[:len(raws)-1]...)
	w.add("uz-liaison", raws[len(raws)-1])
	c := w.login("kz-liaison")
	_, _, doc := c.get("/intel?q=FUEL+price")
	rows := findAll(doc, func(n *html.Node) bool { return attr(n, "data-object") != "" })
	text := textOf(doc)
	if len(rows) != intelPageSize || strings.Contains(text, "Border crossing") || strings.Contains(text, "Fuel price secret") {
		t.Fatalf("first page: %d rows\n%s", len(rows), text)
	}
	next := find(doc, func(n *html.Node) bool { return n.Data == "a" && strings.HasPrefix(attr(n, "href"), "/intel?") })
	if next == nil {
		t.Fatal("no next page")
	}
	_, _, doc = c.get(attr(next, "href"))
	if got := len(findAll(doc, func(n *html.Node) bool { return attr(n, "data-object") != "" })); got != 5 {
		t.Errorf("second page: %d rows, want 5", got)
	}
	_, text, _ = w.login("uz-liaison").getText("/intel?q=secret")
	if !strings.Contains(text, "Fuel price secret") {
		t.Errorf("UZ does not find its own object: %s", text)
	}
}
