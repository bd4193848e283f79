// Package clock keeps a node's crisis mechanism running: it mirrors the
// crisis records of the store in memory (Index) and wakes on the
// charter's clock to publish the reminders, declaration requests, consent
// timeouts and overdue digests that package crisis says are due (Worker).
//
// # The index
//
// Deriving a situation needs its records, and the store can only list a
// collection in date-added order. Index reads every crisis record once,
// parses it once and groups it by situation; each Refresh reads only what
// was added since (one indexed range scan when nothing is new), so a
// process sees its own and other processes' writes as soon as it asks.
// The index holds every record, whoever may see it: readers filter the
// entries of a situation with access.Decide before deriving. Deletions
// (rare: a record is history) disappear at the next listing of the whole collection (every Reload).
//
// # The worker
//
// Worker.Tick(now) derives every open situation that changed or whose
// next clock point has come, asks crisis.Due what is owed at now and
// publishes each notification it has not sent: durably on
// "kurultai.notify.<participant>" with the notification's stable id as
// the JetStream message id, so that several processes running the worker
// send each message once, and live on "notify.<participant>". Start runs
// Tick in a goroutine that sleeps until crisis.Next says something falls
// due, or until a write arrives ("objects.added" on the bus, or Wake).
// Tests call Tick with a fake clock and replay days in milliseconds.
//
// # Several processes
//
// When the store is shared by several processes (its Index has a
// kurultai.KeyLocker, as the PostgreSQL store is), one worker at a time
// runs the clock: the one whose process holds the store's lock LeaderKey.
// The others stand by and try again every Config.StandbyPoll; the lock is
// the database session's, so it passes on when the leader's process dies
// or loses its connection. When the locker can tell that a lock was lost
// (CheckedLocker: the PostgreSQL store asks the session holding it), the
// leader checks before every tick and at least every StandbyPoll, and on a
// failed check stops leading, releases the lock and stands by: a leader
// whose session died (PostgreSQL restarted, its backend was terminated)
// does not run on beside the process that took the lock. Between a check
// and the tick it guards the lock can still be lost; the message ids
// remain a second guard: a hand-over in which both ran for a moment still
// sends each message once. Actions are ordered across processes the same way, by Index.Lock.
//
// A notification that fell due more than Config.CatchUp before the worker
// started is taken as sent by an earlier run (the bus de-duplicates within
// its window): a restarted node does not flood users with stale
// reminders. A worker that takes the lead reaches back further when it
// must: to a minute before it last saw the clock run (another process
// refusing it the lock, or its own last check as leader), since what fell
// due after that may have been sent by nobody. With the standby polling
// every StandbyPoll, that is StandbyPoll plus a minute, well inside the
// default CatchUp; only a standby that could not poll for longer (paused,
// or the database down) sends more, possibly again. Every notification remains listed by the API, which derives
// them from the records.
package clock
