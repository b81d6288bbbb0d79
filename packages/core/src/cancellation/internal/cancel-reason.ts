// The reasons corral cancels with, and how a boundary recognises them.
//
// A cancellation is recognised by IDENTITY, never by its name or shape: an
// error is a cancellation of a scope or group when the scope's own reason
// object is on the error's `cause` chain (the reason itself, or an error
// that wraps it). A domain error that happens to be called "Cancelled", a
// look-alike class, even a `Cancelled` the user constructed, is someone's
// own error and propagates. (An `AbortError` raised while the relevant
// signal is aborted also counts; the callers check that, as docs/design.md says.)
//
// When a parent is cancelled, each child node gets a new `Cancelled` of kind
// "parent" whose `cause` is the parent's reason, so the reasons form a chain
// up to the root. Only the links corral made itself are followed (they are
// remembered in a WeakSet, at one entry per cancelled scope or group): an
// error that carries an ancestor's reason is that ancestor's cancellation,
// and so also the child's.

import { Cancelled } from "../../base/errors.ts";

/** How far a `cause` chain is followed (it may be long, or even a cycle). */
const MAX_CAUSES = 16;

/** The "parent" reasons corral made; their `cause` is the parent's reason. */
const derived = new WeakSet<object>();

/** The `Cancelled` that an explicit `cancel(reason?)` carries: the text of the reason in the message, the value as `cause`. */
export function cancelledBy(reason: unknown): Cancelled {
  if (reason === undefined) return new Cancelled("explicit");
  const message = reason instanceof Error ? reason.message : String(reason);
  return new Cancelled("explicit", { message, cause: reason });
}

/** The reason of a node whose parent was cancelled with `cause`. */
export function cancelledByParent(cause: unknown): Cancelled {
  const reason = new Cancelled("parent", { cause });
  derived.add(reason);
  return reason;
}

/** True when `reason` came from a parent's cancellation (see {@linkcode cancelledByParent}): its `cause` is the parent's reason. */
export function isFromParent(reason: unknown): reason is Cancelled {
  return typeof reason === "object" && reason !== null && derived.has(reason);
}

/** True when `reason` is `error` or on its `cause` chain. */
export function chainHas(error: unknown, reason: unknown): boolean {
  let e = error;
  for (let i = 0; i < MAX_CAUSES; i++) {
    if (e === reason) return true;
    if (typeof e !== "object" || e === null) return false;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * True when `error` is the cancellation `reason` stands for: `reason`, or
 * an ancestor's reason it was derived from, is on `error`'s cause chain.
 */
export function isCancellation(error: unknown, reason: unknown): boolean {
  let r = reason;
  for (let i = 0; i < MAX_CAUSES; i++) {
    if (chainHas(error, r)) return true;
    if (!isFromParent(r)) return false;
    r = r.cause;
  }
  return false;
}

/** True for an `AbortError` (the platform's, or a library's): it counts only while the relevant signal is aborted. */
export function isAbortError(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { name?: unknown }).name === "AbortError";
}
