/**
 * Leak accounting: what corral holds right now.
 *
 * @module
 */

import { live } from "./live.ts";

/** A snapshot of what corral holds. Every field is 0 when nothing is live. */
export interface Diagnostics {
  /** Deadlines and sleeps waiting in corral's timer queue. */
  timers: number;
  /** Child scopes and waits linked under a corral signal. */
  links: number;
  /** `abort` listeners corral has on signals it did not create. */
  listeners: number;
}

/**
 * Counts the timers, links and listeners corral holds right now. Tests use
 * it to prove nothing outlived them; production code can export it as a
 * metric.
 *
 * @returns a fresh snapshot
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CancelScope, diagnostics } from "@corral/core";
 * const before = diagnostics().timers;
 * const scope = new CancelScope({ timeout: 1000 });
 * assert(diagnostics().timers === before + 1);
 * scope[Symbol.dispose]();
 * assert(diagnostics().timers === before);
 * ```
 */
export function diagnostics(): Diagnostics {
  return { timers: live.timers, links: live.links, listeners: live.listeners };
}
