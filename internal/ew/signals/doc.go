// Package signals detects crisis signals in news sentences with rules in
// the manner of the EU's Europe Media Monitor: per-language data files of
// weighted keyword patterns (AND, OR, NOT, NEAR/n, phrases, prefixes and
// Snowball stems) mapped to Kurultai's event types and CAMEO codes. A
// sentence signals a type when the weights of its matching rules, plus
// modifier rules for negation and speculation, reach the type's threshold.
//
// The rule files are rules/LANG.rules, embedded; their format is described
// at ParseRules. Compile them once (New) and share the Matcher.
package signals
