// The one settled promise the pool's parts return when nothing is left to
// wait for. One object, so a caller can tell "nothing to wait for" by
// identity (`done === DONE`) and skip the wait (Lease.release/destroy do).

/** A promise that is already resolved: "nothing to wait for". */
export const DONE: Promise<void> = Promise.resolve();
