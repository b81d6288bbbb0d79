/**
 * How the errors of a request scope become responses: the deadline is a
 * `504`, a client that went away gets nothing (its socket is gone), a closed
 * or exhausted pool is a `503` with `Retry-After`, and everything else goes
 * to Hono's error handling unchanged.
 *
 * @module
 */

import { Cancelled, PoolClosedError, PoolTimeoutError } from "@corral/core";
import type { Context, Env, ErrorHandler } from "hono";

/** What a request's error means for its response (`undefined`: not corral's; Hono handles it). */
export type RequestOutcome = "deadline" | "client-gone" | "unavailable" | undefined;

/**
 * The status a request that was cut short by its client answers with. Nobody
 * reads it: the socket is gone. It is nginx's "client closed request", so an
 * access log shows what happened instead of a 5xx.
 *
 * @example Telling a departed client apart in an access log
 * ```ts
 * import assert from "node:assert/strict";
 * import { CLIENT_CLOSED_REQUEST } from "@corral/hono";
 * const outcome = (status: number) => status === CLIENT_CLOSED_REQUEST ? "client gone" : String(status);
 * assert.equal(outcome(499), "client gone");
 * ```
 */
export const CLIENT_CLOSED_REQUEST = 499;

const MAX_CHAIN = 16;

/** True iff `target` is `error` or on its `cause`/`error`/`suppressed` chain (bounded, cycle-safe). */
function chainHas(error: unknown, target: unknown): boolean {
  const seen: unknown[] = [];
  const todo: unknown[] = [error];
  while (todo.length > 0 && seen.length < MAX_CHAIN) {
    const e = todo.pop();
    if (e === target) return true;
    if (typeof e !== "object" || e === null || seen.includes(e)) continue;
    seen.push(e);
    const { cause, error: inner, suppressed } = e as { cause?: unknown; error?: unknown; suppressed?: unknown };
    if (cause !== undefined) todo.push(cause);
    if (inner !== undefined) todo.push(inner);
    if (suppressed !== undefined) todo.push(suppressed);
  }
  return false;
}

/** True iff something on `error`'s chain satisfies `test`. */
function chainSome(error: unknown, test: (e: unknown) => boolean): boolean {
  let e = error;
  for (let depth = 0; depth < MAX_CHAIN && e !== undefined && e !== null; depth++) {
    if (test(e)) return true;
    if (typeof e !== "object") return false;
    e = (e as { cause?: unknown }).cause ?? (e as { error?: unknown }).error;
  }
  return false;
}

/**
 * A closed pool, or a pool's acquire timeout (a `PoolTimeoutError`): the
 * service is out of capacity, not broken. Other `TimeoutError`s (a
 * `failAfter` in the handler, a pool hook's grace period) are Hono's to handle.
 */
const isUnavailable = (e: unknown): boolean => e instanceof PoolClosedError || e instanceof PoolTimeoutError;

/**
 * Classifies `error`, thrown by a request running in the scope whose signal
 * is `signal`, given whether the client has gone (`clientGone`).
 *
 * @param error what the handler threw
 * @param signal the request scope's signal
 * @param clientGone whether the request's own signal aborted
 * @returns the outcome, or `undefined` when the error is not corral's to answer
 */
export function outcomeOf(error: unknown, signal: AbortSignal | undefined, clientGone: boolean): RequestOutcome {
  if (signal !== undefined && signal.aborted) {
    const reason = signal.reason;
    const ours = chainHas(error, reason) || (error instanceof Error && error.name === "AbortError");
    if (ours) {
      if (clientGone) return "client-gone";
      if (reason instanceof Cancelled && reason.kind === "deadline") return "deadline";
      return "unavailable"; // the server cancelled what its drain period left
    }
  }
  return chainSome(error, isUnavailable) ? "unavailable" : undefined;
}

/**
 * The response for an outcome; `undefined` for an error that is not corral's.
 *
 * @param outcome what {@linkcode outcomeOf} said
 * @param retryAfter seconds for the `Retry-After` of a 503
 */
export function responseFor(outcome: RequestOutcome, retryAfter: number): Response | undefined {
  switch (outcome) {
    case "deadline":
      return new Response("Gateway Timeout", { status: 504 });
    case "client-gone":
      return new Response(null, { status: CLIENT_CLOSED_REQUEST });
    case "unavailable":
      return new Response("Service Unavailable", { status: 503, headers: { "Retry-After": String(retryAfter) } });
    default:
      return undefined;
  }
}

/** Hono's own default, for errors that are not corral's (it is not exported by hono). */
const honoDefault: ErrorHandler = (error, c) => {
  if ("getResponse" in error && typeof error.getResponse === "function") {
    const res = (error as { getResponse(): Response }).getResponse();
    return c.newResponse(res.body, res);
  }
  console.error(error);
  return c.text("Internal Server Error", 500);
};

/** Options for {@linkcode corralErrors}. */
export interface CorralErrorsOptions {
  /** Seconds in the `Retry-After` header of a 503. Default 1. */
  retryAfter?: number;
}

/**
 * An error handler for `app.onError(...)` that answers request-scope errors
 * without logging them as failures — the deadline as `504`, a departed client
 * with nothing, a closed or exhausted pool as `503` with `Retry-After` — and
 * hands every other error to `fallback` (default: what Hono does by default,
 * `HTTPException`'s response or a logged `500`).
 *
 * The {@linkcode corral} middleware maps the same errors to the same statuses
 * on its own; without this handler Hono's default handler still logs them.
 *
 * @param fallback the application's own error handler, for everything else
 * @param options `retryAfter`
 * @returns the handler
 * @throws {TypeError} when `fallback` is not a function
 * @example A deadline answers 504, other errors reach the application's handler
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { sleep } from "@corral/core";
 * import { corral, type CorralEnv, corralErrors } from "@corral/hono";
 * const app = new Hono<CorralEnv>();
 * app.use(corral({ timeout: 10 }));
 * app.onError(corralErrors((error, c) => c.text(`oops: ${error.message}`, 500)));
 * app.get("/slow", async (c) => {
 *   await sleep(10_000, { signal: c.var.signal });
 *   return c.text("never");
 * });
 * app.get("/bug", () => {
 *   throw new Error("bug");
 * });
 * assert.equal((await app.request("/slow")).status, 504);
 * assert.equal(await (await app.request("/bug")).text(), "oops: bug");
 * ```
 */
export function corralErrors<E extends Env = Env>(
  fallback?: ErrorHandler<E>,
  options?: CorralErrorsOptions,
): ErrorHandler<E> {
  if (fallback !== undefined && typeof fallback !== "function") {
    throw new TypeError(`Cannot create corralErrors as 'fallback' must be a function: received ${typeof fallback}`);
  }
  const retryAfter = checkRetryAfter("create corralErrors", options?.retryAfter);
  const next: ErrorHandler<E> = fallback ?? honoDefault;
  return (error: Error, c: Context<E>) => {
    const scope = (c as unknown as Context<{ Variables: { scope?: { signal: AbortSignal } } }>).get("scope");
    const outcome = outcomeOf(error, scope?.signal, c.req.raw.signal.aborted);
    return responseFor(outcome, retryAfter) ?? next(error, c);
  };
}

/** Validates a `retryAfter` option (seconds, an integer >= 0); `undefined` means 1. */
export function checkRetryAfter(what: string, value: unknown): number {
  if (value === undefined) return 1;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new RangeError(`Cannot ${what} as 'retryAfter' must be an integer >= 0: received ${String(value)}`);
  }
  return value;
}
