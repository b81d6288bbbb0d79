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

/**
 * Counts a timer, link or listener held outside the core into
 * {@linkcode diagnostics}, so the leak checks that end every test see it
 * too. Drivers and integrations call it in exact pairs: `+1` when they arm
 * a host timer or add an `abort` listener of their own, `-1` when it fires
 * or is removed.
 *
 * @param kind which counter: `"timers"`, `"links"` or `"listeners"`
 * @param delta `1` when taken, `-1` when freed
 * @throws {TypeError} for an unknown `kind` or a `delta` other than 1 or -1
 * @example A driver's own timer, counted while armed
 * ```ts
 * import assert from "node:assert/strict";
 * import { countLive, diagnostics } from "@corral/core";
 * const before = diagnostics().timers;
 * countLive("timers", 1);
 * const timer = setTimeout(() => {}, 1000);
 * assert(diagnostics().timers === before + 1);
 * clearTimeout(timer);
 * countLive("timers", -1);
 * assert(diagnostics().timers === before);
 * ```
 */
export function countLive(kind: keyof Diagnostics, delta: 1 | -1): void {
  if ((kind !== "timers" && kind !== "links" && kind !== "listeners") || (delta !== 1 && delta !== -1)) {
    throw new TypeError(
      `Cannot count a live resource as 'kind' must be "timers", "links" or "listeners" and 'delta' 1 or -1: received ${
        String(kind)
      }, ${String(delta)}`,
    );
  }
  live[kind] += delta;
}
