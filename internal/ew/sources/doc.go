// Package sources reads news for early warning: RSS, Atom and JSON feeds
// and article pages over HTTP, and the same formats plus corpus-style text
// files from local files and folders for air-gapped sites.
//
// Everything a source sends is untrusted. Responses are bounded in size
// (MaxFeedBytes, MaxPageBytes), time and redirects (MaxRedirects); text is
// converted to UTF-8 from the charset the HTTP header, the XML prolog or the
// HTML meta tag declares, or, when none is declared or the declaration is
// wrong, the one a byte-statistics heuristic picks among UTF-8,
// windows-1251, KOI8-R, windows-1256 and windows-1254; HTML deeper or larger
// than the limits is refused before it is parsed. Every failure is an error
// that names the source and a clear reason; nothing panics.
//
// A Poller runs each source in its own goroutine, at the source's interval,
// with conditional GET (ETag, Last-Modified) and exponential backoff after
// failures, so one slow or broken source never delays another. Each
// source's health (last success, last error, items seen) is kept in memory
// and saved through a HealthStore.
package sources
