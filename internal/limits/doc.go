// Package limits admits requests against rate limits (requests per minute,
// tokens per minute, requests per day) and budgets (nano-dollars per calendar
// period), exactly on one machine and across replicas.
//
// # Rate limits
//
// A [Limiter] admits one request against several buckets at once — typically
// the virtual key's, the project's and the deployment's — all or nothing:
// [Limiter.Reserve] either takes every [Charge] or none, and a refusal is a
// [*Denied] naming the charge that did not fit.
//
// Each bucket refills continuously (a token bucket, equivalent to GCRA): a
// bucket with limit L over period P holds at most L units and regains L/P
// units per unit of time, so a 60 RPM bucket regains one request every
// second and a full bucket of 60 can be spent at once. This matches the
// meaning of OpenAI's headers: x-ratelimit-remaining-* is the whole units
// left now, and x-ratelimit-reset-* is the time until the bucket is full
// again, not the time until the next request fits ([State]). Requests and
// Tokens refill over a minute, RequestsPerDay over 24 hours.
//
// A bucket stores the units in use, not the limit, so a changed limit takes
// effect at the next admission without losing what is in use.
//
// Tokens are reserved before the upstream call (prompt plus requested
// maximum output, as OpenAI counts them) and reconciled afterwards with
// [Reservation.Settle]; [Reservation.Cancel] gives everything back when the
// request failed before the upstream spent anything. A reservation is
// closed by the first of Settle and Cancel; later calls do nothing, so both
// are safe on deferred cleanup and error paths.
//
// # Time
//
// [Memory] refills by time.Now. [Redis] refills by the Redis server's clock,
// read inside each script, so that replicas with skewed clocks share one
// timeline. Both accept [WithClock], which tests use to advance time without
// sleeping. Budget windows and hold leases use the now passed by the caller.
//
// # Budgets
//
// A budget caps the spend of a key over a calendar [Window] in UTC (day, ISO
// week from Monday, month, or total). [Limiter.ReserveBudget] holds an
// estimated cost before the call and refuses with [*BudgetDenied] when spent
// plus held plus the new amount would pass the limit; the
// [BudgetReservation] is settled with the actual cost afterwards. While
// every request settles at or below its reservation, the spend of a window
// never exceeds its limit, however many replicas admit concurrently; a
// request that costs more than it reserved is still counted in full. A hold
// never settled (a crashed replica) is released when its lease ends.
//
// # Implementations
//
// [NewMemory] keeps state in this process (mutex-sharded); [NewRedis] keeps
// it in Redis with one atomic Lua script per admission, so that replicas
// share it. [NewFallback] serves from a per-replica memory limiter while
// Redis is unreachable. The package limitstest holds the semantic test suite
// that every implementation passes.
package limits
