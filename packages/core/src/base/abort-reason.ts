// The reason an aborted signal stands for. A platform AbortSignal always
// carries one (a DOMException "AbortError" when abort() was given none),
// but a polyfill or a signal-shaped object from another library may abort
// with `reason` unset. Everything corral rejects, catches or compares then
// needs one stand-in, and it must be the same object every time it is
// asked for — a wait that rejected with it and a scope that recognises its
// cancellation by identity must be looking at one reason — so one is made
// per signal, on first use, and kept as long as the signal lives.

const fallbacks = new WeakMap<AbortSignal, Error>();

/**
 * The reason an aborted signal stands for: its own `reason`, or, when it
 * aborted without one (a polyfill, a signal-shaped object), an `Error`
 * named `"AbortError"` made once for that signal and returned on every
 * call, so whatever rejects with it and whatever compares against it see
 * one object.
 *
 * Drivers and integrations use it wherever they reject because a signal
 * aborted, so their rejections match corral's own.
 *
 * @param signal an `AbortSignal`, or an object shaped like one
 * @returns the reason, or `undefined` while the signal has not aborted
 *
 * @example A signal-shaped object aborted without a reason
 * ```ts
 * import assert from "node:assert/strict";
 * import { abortReasonOf, sleep } from "@corral/core";
 *
 * const signal = Object.assign(new EventTarget(), { aborted: true, reason: undefined }) as unknown as AbortSignal;
 * const reason = abortReasonOf(signal);
 * assert.ok(reason instanceof Error && reason.name === "AbortError");
 * assert.equal(abortReasonOf(signal), reason); // the same object every time
 * await assert.rejects(sleep(10, { signal }), (error) => error === reason);
 * assert.equal(abortReasonOf(new AbortController().signal), undefined);
 * ```
 */
export function abortReasonOf(signal: AbortSignal): unknown {
  if (!signal.aborted) return undefined;
  const reason = signal.reason;
  if (reason !== undefined) return reason;
  let fallback = fallbacks.get(signal);
  if (fallback === undefined) {
    // The platform's default reason has this name and message; corral's
    // core uses no DOMException (docs/design.md, "The layers"), so an Error.
    fallback = new Error("This operation was aborted");
    fallback.name = "AbortError";
    fallbacks.set(signal, fallback);
  }
  return fallback;
}
