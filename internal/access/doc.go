// Package access holds the node's one access decision: whether a principal
// may see one version of one STIX object. Every exit of the node (TAXII, the
// API, web pages, live updates, search, exports, replication) asks Decide and
// nothing else, so the rules below are the whole of Kurultai's read policy.
//
// # The rules, in order
//
// A principal without a participant, or with an unknown role or participant
// kind, sees nothing. Such a principal is a bug or a half-built account, and
// failing closed is the only safe answer.
//
// The originator (the participant that wrote the object) always sees its own
// versions, whatever they are marked with. Markings restrict what others see;
// they never hide an object from its writer.
//
// The nine standard TLP marking-definitions (TLP 2.0 and TLP 1.0) and
// Kurultai's releasability extension-definition are public vocabulary that
// every principal needs in order to read any marked object, so every
// principal sees them.
//
// For everything else the decision reads the version's marking refs: the
// effective refs when the store has set them (the version's own refs plus
// those of every newer version of the same object, so that a newer version
// that narrows the audience narrows the older ones too), else the version's
// own refs. Granular marking refs are already among them: a granular marking
// withholds the whole object rather than redacting part of it. A
// marking-definition that is itself a releasability marking counts its own
// id as a ref, so the participants a marking releases to may see the marking
// (releasability metadata is sensitive too: those outside the audience do
// not learn who is in it).
//
// Every ref must name a marking the node knows. One unknown ref denies: the
// node cannot honour a restriction it does not understand, so it withholds
// the object rather than guess.
//
// The audience is the intersection of the audiences of every releasability
// marking among the refs: a principal must be in each of them. An object
// with no releasability marking has no audience, so only its originator sees
// it; a releasability marking with an empty audience releases to nobody.
// An audience is either a list of participant codes or exactly one keyword:
//
//	members            members and the secretariat
//	members+observers  members, observers and the secretariat
//	public             every authenticated principal
//
// A keyword counts only when it is the whole audience; inside a list of
// codes it matches nobody.
//
// TLP levels do not widen anything; the strict levels narrow. When any ref
// is TLP:RED or TLP:AMBER+STRICT (or a TLP level the node does not
// recognise), an observer sees the object only if every releasability
// marking among the refs names the observer's code explicitly; a keyword
// such as members+observers is not enough. Members and the secretariat are
// not narrowed further by TLP: the releasability audience already says who
// they are.
//
// # Monotonicity
//
// Adding a marking to an object never lets anyone new see it, with one
// deliberate exception. An unknown marking denies; a TLP marking can only
// narrow observers; a releasability marking is one more audience to be in.
// The exception is the first releasability marking: an object without one is
// visible to its originator only, and giving it an audience is how an
// originator releases it. The property tests check exactly this.
//
// # Markings
//
// Decide is pure and reads markings through kurultai.MarkingSet. Markings is
// the in-memory set the node keeps: reads are lock-free (an atomic pointer to
// an immutable map) because Decide runs for every version at every exit, and
// writers copy the map under a mutex.
package access
