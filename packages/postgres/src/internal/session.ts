// What makes a session dirty, and the query that makes it clean again.
//
// Resetting on every release would cost a round trip per `use()`, so a
// connection is reset only when one of its queries may have left session
// state behind. The test is conservative: a false positive costs one reset,
// a false negative would leak state to the next borrower. What it cannot
// see: server functions that change settings or take session locks
// internally (choose `sessionReset: "always"` for those).

/** Statements that change session state when they start a statement. */
const LEADING =
  /(?:^|;)\s*(?:begin|start|commit|rollback|savepoint|release|end|abort|set|reset|listen|unlisten|declare|close|prepare|deallocate|discard|load|lock|do|copy|call)\b/i;
/** Words that change session state wherever they appear. */
const ANYWHERE = /\b(?:advisory|set_config|temp|temporary)\b/i;

const verdicts = new WeakMap<object, boolean>();

/** True when a query with these text parts may leave session state behind. */
export function touchesSession(strings: readonly string[]): boolean {
  let verdict = verdicts.get(strings);
  if (verdict === undefined) {
    verdict = false;
    for (const part of strings) {
      if (LEADING.test(part) || ANYWHERE.test(part)) {
        verdict = true;
        break;
      }
    }
    // Tagged templates reuse one frozen strings array per call site; cache
    // the verdict there. `unsafe()` text arrives in a fresh array each time.
    if (Object.isFrozen(strings)) verdicts.set(strings, verdict);
  }
  return verdict;
}

/**
 * What asyncpg and `DISCARD ALL` do, minus `DEALLOCATE ALL`/`DISCARD PLANS`:
 * the `postgres` package caches its prepared statements per connection and
 * would fail on the next reuse if they were dropped under it. `ROLLBACK`
 * first (a warning, not an error, outside a transaction), so the rest runs
 * even after a failed transaction.
 */
export const RESET_SQL: string = "ROLLBACK; CLOSE ALL; UNLISTEN *; SELECT pg_advisory_unlock_all(); " +
  "SET SESSION AUTHORIZATION DEFAULT; RESET ALL; DISCARD TEMP; DISCARD SEQUENCES";
