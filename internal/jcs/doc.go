// Package jcs implements the JSON Canonicalization Scheme of RFC 8785: one
// byte sequence for every JSON text with the same meaning, so that a
// signature over it survives re-formatting in transit.
//
// The canonical form has no white space; object members are sorted by
// their names compared as arrays of UTF-16 code units; strings use the
// minimal escaping of ECMAScript's JSON.stringify (\" \\ \b \f \n \r \t and
// \u00xx with lower-case hex for the other control characters; every other
// character, "/" and U+2028 included, is written as itself in UTF-8);
// numbers are IEEE 754 doubles written as ECMAScript's
// Number.prototype.toString writes them (shortest round-trip digits, plain
// notation for exponents from -7 to 20, otherwise "1e+21", "1.5e-7"; -0 is
// "0"). true, false and null stay as they are, and arrays keep their order.
//
// # What is refused
//
// Input must be I-JSON (RFC 7493), as RFC 8785 requires: a syntax error,
// invalid UTF-8, a \u escape that is a lone surrogate, a duplicate member
// name (at any depth, compared after unescaping), a number outside the
// range of a double (1e400; NaN and Infinity are not JSON), or nesting
// deeper than 10000 levels is an *Error. A number with more digits than a
// double holds is accepted and rounded, as RFC 8785 specifies: 2^53+1
// becomes 9007199254740992. Two texts that differ only in such digits have
// the same canonical form.
//
// # Speed
//
// Canonicalization does not decode into maps: one pass records the spans
// of the values in a flat tree, members are sorted by index, and a second
// walk writes the output, copying strings without escapes and integers of
// up to 15 digits as they are. The work is linear in the input (plus the
// sorting of each object's members) whatever the nesting. An Encoder keeps
// its scratch space between calls; see the benchmarks.
package jcs
