// Package api is Kurultai's JSON API under /api/v1/: the crisis mechanism
// for people and programs (the web UI and the CLI are its clients).
//
// Every request is authenticated (HTTP Basic or a bearer token, as for
// TAXII), every read and every decision is written to the audit log before
// the response (a log that cannot be written fails the request with 503),
// and every record leaves through access.Decide: a situation is derived
// only from the records the caller may see, so two callers may see the
// same situation differently.
//
// Actions follow one pattern: lock the situation, derive its state from the
// records the caller may see, let crisis.Act check the action against the
// charter, sign the new records and store them in one write, publish the
// notifications, answer 201 with the new records and state. A refusal names
// the charter rule (403), the parameter (400), the record (404) or the
// state that refuses it (409), and nothing is written.
//
// Errors are JSON, {"error": {"code", "field", "message"}}, with the status
// that one function (httpStatus) gives each kurultai.Code; 503 carries
// Retry-After; an error without a code is a logged 500 that says "internal
// error" and nothing more.
//
// See docs/CRISIS.md for the endpoints.
package api
