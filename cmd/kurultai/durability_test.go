package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	_ "modernc.org/sqlite"

	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
)

// TestDurabilityUnderSIGKILL kills the node with SIGKILL while clients POST
// concurrently. Every object a status reported as stored must be readable
// after restart, and the database must pass PRAGMA integrity_check.
func TestDurabilityUnderSIGKILL(t *testing.T) {
	dir := t.TempDir()
	p := startBinary(t, "demo", "--data", dir, "--listen", "127.0.0.1:0")
	a := readAccounts(t, dir)["kz-liaison"]

	var (
		mu      sync.Mutex
		stored  []string
		answers atomic.Int64
	)
	done := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Timeout: 30 * time.Second}
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				var objs []string
				for j := range 50 {
					id := "indicator--" + uuid.NewString()
					objs = append(objs, fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":%q,"created":"2022-01-05T00:00:00.000Z","modified":"2022-01-05T00:00:00.000Z","name":"durability %d-%d-%d","pattern":"[ipv4-addr:value = '192.0.2.1']","pattern_type":"stix","valid_from":"2022-01-05T00:00:00Z","object_marking_refs":[%q]}`,
						id, w, i, j, seed.AudienceMarkingID("KZ")))
				}
				req, _ := http.NewRequest(http.MethodPost, p.url+collPath+"/objects/", strings.NewReader(`{"objects":[`+strings.Join(objs, ",")+`]}`))
				req.SetBasicAuth(a.Username, a.Password)
				req.Header.Set("Accept", taxiiType)
				req.Header.Set("Content-Type", taxiiType)
				resp, err := c.Do(req)
				if err != nil {
					return // the server died under us: expected
				}
				var st struct {
					Successes []kurultai.StatusDetail `json:"successes"`
				}
				err = json.NewDecoder(resp.Body).Decode(&st)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusAccepted {
					continue
				}
				mu.Lock()
				for _, s := range st.Successes {
					stored = append(stored, s.ID)
				}
				mu.Unlock()
				answers.Add(1)
			}
		}()
	}
	deadline := time.Now().Add(60 * time.Second)
	for answers.Load() < 20 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // polling a counter, not waiting for an effect
	}
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-p.exited
	close(done)
	wg.Wait()
	mu.Lock()
	ids := append([]string(nil), stored...)
	mu.Unlock()
	if len(ids) < 20*50 {
		t.Fatalf("only %d objects acknowledged before the kill; want at least 1000", len(ids))
	}

	p2 := startBinary(t, "demo", "--data", dir, "--listen", "127.0.0.1:0")
	c := &taxiiClient{t: t, base: p2.url, user: a.Username, pass: readAccounts(t, dir)["kz-liaison"].Password}
	missing := 0
	for _, id := range ids {
		if code, _, _ := c.do(http.MethodGet, collPath+"/objects/"+id+"/", nil); code != http.StatusOK {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged objects are missing after SIGKILL and restart", missing, len(ids))
	}
	p2.stop(t)

	db, err := sql.Open("sqlite", filepath.Join(dir, "kurultai.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil {
		t.Fatal(err)
	}
	if check != "ok" {
		t.Fatalf("integrity_check = %q", check)
	}
	t.Logf("%d acknowledged objects all readable after SIGKILL", len(ids))
}
