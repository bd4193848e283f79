// Package web is Kurultai's server-rendered user interface: the crisis
// desk, the situation room, statements under silence, assistance,
// meetings, the intel library, early warning, audit and administration,
// in English, Turkish and Russian.
//
// Pages are html/template files and static assets embedded in the binary
// and parsed at start-up (a broken template fails New, not a request).
// There is no client framework: a small script of our own updates
// countdowns, follows the live event stream (GET /events, Server-Sent
// Events) and nothing else, and every action is a plain form that works
// without it.
//
// The pages share services, not handlers, with the JSON API: crisis
// actions go through a Crisis (lock the situation, derive from the
// records the user may see, crisis.Act, store in one write, publish), and
// every object, count, title and marking on a page passed access.Decide
// for the signed-in user, as on every other exit of the node.
//
// # Sessions
//
// A session is a random 256-bit id in a cookie that is HttpOnly,
// SameSite=Strict and Secure when the request came over TLS (or when
// Config.SecureCookies says a proxy terminates TLS). Sessions live in
// memory: a restart signs everyone out. A session expires after
// Config.IdleTimeout without a request and Config.MaxAge after sign-in;
// an expired session is kept a while as a tombstone so that a form
// posted after expiry (with its valid CSRF token) is stashed and shown
// again, filled in, once the same user signs in again.
//
// Every POST carries the session's synchronizer token (a hidden field);
// a missing or wrong token is refused with 403 and changes nothing. The
// sign-in form, which has no session yet, uses a double-submit cookie.
// Sign-in attempts are rate-limited per client address and per username
// (token buckets). Every response carries a strict Content-Security-Policy
// (no inline script or style), X-Frame-Options DENY, nosniff and
// Referrer-Policy no-referrer.
package web
