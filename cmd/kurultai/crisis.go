package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

const crisisUsage = `crisis <command> [arguments] [flags]

Works the crisis mechanism of a running node through its JSON API
(/api/v1/), as your account: you see the situations and records your
participant may see, and may take the actions your role may take.

Commands:
  list                          the situations you may see, newest first
  show ID                       one situation: mode, consent, deadlines, drafts,
                                silence procedures, meetings, assistance, KPIs,
                                and the actions you may take now
  act ID ACTION [--json BODY | --file FILE]
                                take an action; BODY is its JSON parameters
  raise --title T --affected KZ[,UZ] [--onset TIME] [--summary S]
                                raise an alert (opens a situation)
  notifications [--since TIME]  the notifications addressed to you
  kpi [ID]                      the KPIs of every situation, or of one

Actions and their parameters (see docs/CRISIS.md):
  request_consultation {"reason"}            ask_consent {"note"}
  answer_consent {"answer":"granted|refused"} designate_briefer {"briefer"}
  post_report {"title","text","audience"}     draft_statement {"draft","title","text","release"}
  open_silence {"draft","urgency":"urgent|normal","expires"}
  break_silence {"silence","kind":"objection|amendment","text"}
  extend_silence {"silence","expires","reason"}
  declare {"silence","outcome":"adopted|not_adopted","reason"}
  change_mode {"to","reason"}   close {"reason"}
  convene_meeting {"level","start","invitees":[...],"agenda","format"}
  record_meeting {"meeting","held","present":[...],"outcome"}
  request_assistance {"items":[{"item","quantity","unit"}],"text"}
  offer_assistance {"recipient","items","text"}
  answer_assistance {"request","message":"pledge|decline|need_info","items","text"}
  accept_assistance {"request","pledge","message":"accept|decline"}
  mark_delivered / cancel_assistance {"request","pledge"}   close_assistance {"request"}
Times are RFC 3339 (2022-01-02T18:00:00Z).

Examples:
  export KURULTAI_URL=http://127.0.0.1:8080 KURULTAI_USER=uz-liaison KURULTAI_PASSWORD=...
  kurultai crisis list
  kurultai crisis act kurultai-situation--... break_silence \
      --json '{"silence":"kurultai-silence--...","kind":"objection","text":"Paragraph 2."}'`

// runCrisis is the crisis command: an HTTP client of a node's API.
func runCrisis(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintf(stderr, "Usage: kurultai %s\n", crisisUsage)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	cmd, args := args[0], args[1:]
	fs := newFlagSet("crisis "+cmd, crisisUsage, stderr)
	c := &crisisClient{http: &http.Client{Timeout: time.Minute}}
	fs.StringVar(&c.base, "url", envOr(env, "KURULTAI_URL", "http://127.0.0.1:8080"), "node `URL` (env KURULTAI_URL)")
	fs.StringVar(&c.token, "token", env("KURULTAI_TOKEN"), "API `token` (env KURULTAI_TOKEN)")
	fs.StringVar(&c.user, "user", env("KURULTAI_USER"), "`username` for HTTP Basic (env KURULTAI_USER)")
	fs.StringVar(&c.password, "password", env("KURULTAI_PASSWORD"), "`password` for HTTP Basic (env KURULTAI_PASSWORD; safer than the flag)")
	format := fs.String("format", "table", "output `format`: table or json")
	var jsonBody, file, title, onset, affected, summary, since string
	switch cmd {
	case "act":
		fs.StringVar(&jsonBody, "json", "", "the action's parameters as a JSON `object`")
		fs.StringVar(&file, "file", "", "read the parameters from `file` (- for standard input)")
	case "raise":
		fs.StringVar(&jsonBody, "json", "", "the alert as a JSON `object` (instead of the flags below)")
		fs.StringVar(&title, "title", "", "the situation's `title`")
		fs.StringVar(&onset, "onset", "", "onset `time`, RFC 3339 (default: now)")
		fs.StringVar(&affected, "affected", "", "affected member `codes`, comma-separated")
		fs.StringVar(&summary, "summary", "", "a short `summary`")
	case "notifications":
		fs.StringVar(&since, "since", "", "only notifications from this `time` on (RFC 3339)")
	case "list", "show", "kpi":
	default:
		fmt.Fprintf(stderr, "kurultai crisis: unknown command %q\n\nUsage: kurultai %s\n", cmd, crisisUsage)
		return errUsage
	}
	pos, help, err := parseInterspersed(fs, args)
	if help || err != nil {
		return err
	}
	if *format != "table" && *format != "json" {
		return fmt.Errorf("--format: %q is not table or json", *format)
	}
	want := map[string][2]int{"list": {0, 0}, "show": {1, 1}, "act": {2, 2}, "raise": {0, 0}, "notifications": {0, 0}, "kpi": {0, 1}}[cmd]
	if len(pos) < want[0] || len(pos) > want[1] {
		fmt.Fprintf(stderr, "kurultai crisis %s: wrong number of arguments %q\n\nUsage: kurultai %s\n", cmd, pos, crisisUsage)
		return errUsage
	}
	if err := c.check(); err != nil {
		return err
	}
	out := &printer{w: stdout, json: *format == "json"}
	switch cmd {
	case "list":
		return c.list(ctx, out)
	case "show":
		return c.show(ctx, out, pos[0])
	case "act":
		body, err := actionBody(jsonBody, file)
		if err != nil {
			return err
		}
		return c.act(ctx, out, pos[0], pos[1], body)
	case "raise":
		body, err := raiseBody(jsonBody, title, onset, affected, summary)
		if err != nil {
			return err
		}
		return c.act(ctx, out, "", "raise_alert", body)
	case "notifications":
		return c.notifications(ctx, out, since)
	}
	id := ""
	if len(pos) == 1 {
		id = pos[0]
	}
	return c.kpi(ctx, out, id)
}

func envOr(env func(string) string, key, def string) string {
	if v := env(key); v != "" {
		return v
	}
	return def
}

// parseInterspersed parses flags before, between and after positional
// arguments, and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) (pos []string, help bool, err error) {
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, true, nil
			}
			return nil, false, errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, false, nil
		}
		pos, args = append(pos, args[0]), args[1:]
	}
}

// actionBody returns the parameters of act: --json, --file or none.
func actionBody(jsonBody, file string) ([]byte, error) {
	switch {
	case jsonBody != "" && file != "":
		return nil, errors.New("--json and --file: give one")
	case file == "-":
		return io.ReadAll(os.Stdin)
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("--file: %w", err)
		}
		return b, nil
	case jsonBody != "":
		return []byte(jsonBody), nil
	}
	return []byte("{}"), nil
}

// raiseBody builds the alert from the flags, or takes --json.
func raiseBody(jsonBody, title, onset, affected, summary string) ([]byte, error) {
	if jsonBody != "" {
		if title != "" || onset != "" || affected != "" || summary != "" {
			return nil, errors.New("--json: give the alert either as JSON or with the flags, not both")
		}
		return []byte(jsonBody), nil
	}
	if title == "" {
		return nil, errors.New("--title: required")
	}
	if affected == "" {
		return nil, errors.New("--affected: required (member codes, comma-separated)")
	}
	at := time.Now().UTC()
	if onset != "" {
		t, err := time.Parse(time.RFC3339, onset)
		if err != nil {
			return nil, fmt.Errorf("--onset: %q is not an RFC 3339 time such as 2022-01-02T00:00:00Z", onset)
		}
		at = t
	}
	var codes []string
	for _, c := range strings.Split(affected, ",") {
		if c = strings.ToUpper(strings.TrimSpace(c)); c != "" {
			codes = append(codes, c)
		}
	}
	return json.Marshal(map[string]any{"title": title, "onset": at, "affected": codes, "summary": summary})
}

// crisisClient calls a node's API as one user.
type crisisClient struct {
	base, token, user, password string
	http                        *http.Client
}

func (c *crisisClient) check() error {
	u, err := url.Parse(c.base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--url: %q is not an http(s) URL", c.base)
	}
	c.base = strings.TrimSuffix(c.base, "/")
	if c.token == "" && (c.user == "" || c.password == "") {
		return errors.New("no credentials: set --token (KURULTAI_TOKEN), or --user and --password (KURULTAI_USER, KURULTAI_PASSWORD)")
	}
	return nil
}

// apiError is an error answer of the API.
type apiError struct {
	Status  int
	Code    string `json:"code"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e *apiError) Error() string {
	msg := e.Message
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	return fmt.Sprintf("%d %s: %s", e.Status, strings.ToLower(http.StatusText(e.Status)), msg)
}

// do sends a request and decodes a 2xx answer into v (raw JSON into a
// *json.RawMessage). Other answers are *apiError.
func (c *crisisClient) do(ctx context.Context, method, path string, body []byte, v any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	} else {
		req.SetBasicAuth(c.user, c.password)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		var eb struct {
			Error apiError `json:"error"`
		}
		if json.Unmarshal(data, &eb) != nil || eb.Error.Message == "" {
			eb.Error.Message = strings.TrimSpace(string(data))
			if resp.StatusCode == http.StatusNotFound && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
				eb.Error.Message = "the node at " + c.base + " has no crisis API (" + eb.Error.Message + ")"
			}
		}
		eb.Error.Status = resp.StatusCode
		return &eb.Error
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s %s: the answer is not what this client reads: %w", method, path, err)
	}
	return nil
}
