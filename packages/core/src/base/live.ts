// Counters of what corral holds right now. Every acquisition increments,
// every release decrements, so a test can prove nothing outlived it: after
// all scopes are disposed and all waits settled, each counter is back to 0.

export const live: { timers: number; links: number; listeners: number } = {
  /** Deadline/sleep entries in the scheduler. */
  timers: 0,
  /** Watchers linked into a corral cancel node (child scopes, waits). */
  links: 0,
  /** `abort` listeners corral added to foreign (non-corral) signals. */
  listeners: 0,
};
