// Package auth turns the credentials of an HTTP request into a
// kurultai.Principal, and owns the formats of the secrets it checks.
//
// Passwords are hashed with argon2id (19 MiB, two passes, one lane, as OWASP
// recommends) and stored as PHC strings such as
// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>". CheckPassword reads the
// parameters from the stored string, so they can be raised later without
// invalidating existing hashes, within bounds that stop a corrupt hash from
// costing gigabytes.
//
// Bearer tokens look like "kt_" + a 12-character public id + "_" + a
// 52-character secret (32 random bytes), all lower-case base32. The store
// keeps the id and the SHA-256 of the secret; the full token is shown once.
//
// An Authenticator accepts "Authorization: Basic" (TAXII 2.1 clients send it
// on every request) and "Authorization: Bearer". Because one argon2id check
// costs tens of milliseconds, a successful authentication is remembered for
// DefaultCacheTTL under an HMAC of the credentials keyed with a random
// per-process key; the cache holds no password or secret, is bounded, and
// never remembers a failure. Every credential failure gives the same
// "invalid credentials" answer, and an unknown user costs the same argon2id
// work as a wrong password, so neither the message nor the timing tells
// whether an account exists. Concurrent password checks are limited to the
// number of CPUs.
package auth
