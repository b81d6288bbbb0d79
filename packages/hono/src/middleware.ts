/**
 * The request-scope middleware: every request runs inside its own cancel
 * scope, cancelled when the client goes away or the request's deadline
 * passes, and ambient for the handler.
 *
 * @module
 */

import { CancelScope, type CancelScopeOptions, describeValue, now, onAbort } from "@corral/core";
import type { Context, MiddlewareHandler, Next } from "hono";
import { InFlight } from "./internal/in-flight.ts";
import { checkRetryAfter, outcomeOf, responseFor } from "./responses.ts";

/** What the middleware puts on the Hono context: `c.var.scope`, `c.var.signal`. */
export interface CorralVariables {
  /** The request's cancel scope. Its `deadline` may be moved (see {@linkcode routeTimeout}). */
  scope: CancelScope;
  /** The request scope's signal; also `currentSignal()` inside the handler. */
  signal: AbortSignal;
}

/** The Hono environment of an app that uses the middleware: `new Hono<CorralEnv>()`. */
export interface CorralEnv {
  /** The request scope's variables. */
  Variables: CorralVariables;
}

/** Options for {@linkcode corral}. */
export interface CorralOptions {
  /** Milliseconds each request may run before its scope is cancelled (answering 504). Default `Infinity`. */
  timeout?: number;
  /** Seconds in the `Retry-After` header of a 503. Default 1. */
  retryAfter?: number;
}

/** Options for {@linkcode CorralMiddleware.drain}. */
export interface DrainOptions {
  /** Milliseconds in-flight requests get to finish before they are cancelled. Default 10,000. */
  timeout?: number;
  /** Milliseconds cancelled requests get to settle after that. Default 5,000. */
  cancelTimeout?: number;
}

/** What {@linkcode CorralMiddleware.drain} found. */
export interface DrainResult {
  /** Requests still in flight when the drain period ended, and so cancelled. */
  cancelled: number;
  /** Requests that had not settled when `cancelTimeout` ran out too (0 when all went). */
  remaining: number;
}

/** The middleware, with the state a server's shutdown and readiness need. */
export interface CorralMiddleware extends MiddlewareHandler<CorralEnv> {
  /** Requests inside the middleware now. */
  readonly inFlight: number;
  /** True once `drain()` started: readiness should answer 503, responses carry `Connection: close`. */
  readonly draining: boolean;
  /**
   * Drains: marks the middleware `draining`, waits up to `timeout` ms for the
   * requests in flight to finish, then cancels what is left (their scopes
   * abort with a `Cancelled` of kind `"parent"`; they answer 503) and waits up
   * to `cancelTimeout` ms for them to settle. Requests that start after the
   * drain period answer 503 without running. Call it after the server stopped
   * accepting connections, and close the pools after it resolves.
   */
  drain(options?: DrainOptions): Promise<DrainResult>;
}

const CLIENT_GONE = "the client disconnected";

/** The answer to a request that arrives after the drain period: it does not run. */
function unavailable(retryAfter: number): Response {
  const headers = { "Retry-After": String(retryAfter), Connection: "close" };
  return new Response("Service Unavailable", { status: 503, headers });
}

function checkDuration(what: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number") {
    throw new TypeError(
      `Cannot ${what} as '${name}' must be a number of milliseconds: received ${describeValue(value)}`,
    );
  }
  if (value !== value) throw new RangeError(`Cannot ${what} as '${name}' must not be NaN: received NaN`);
  return value;
}

function checkOptions(what: string, options: unknown): void {
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new TypeError(`Cannot ${what} as 'options' must be an object: received ${describeValue(options)}`);
  }
}

/**
 * Makes the request-scope middleware. Each request runs inside a fresh
 * {@linkcode CancelScope} that is:
 * - cancelled when the client goes away (the request's `signal` aborts);
 * - cancelled when `timeout` ms pass (the response is then a 504);
 * - cancelled when a {@linkcode CorralMiddleware.drain | drain} period ends;
 * - ambient inside the handler: `currentSignal()` is its signal, so
 *   `pool.use`, queries, `sleep` and task groups stop without being handed a
 *   signal. The handler also finds it as `c.var.scope` / `c.var.signal`.
 *
 * After the handler, an error it threw that belongs to the scope becomes a
 * response: the deadline a `504`, a departed client an empty `499` nobody
 * reads, a `PoolClosedError`, pool acquire timeout or shutdown a `503` with
 * `Retry-After`. Other errors stay what Hono's error handler made of them.
 * Hono's default handler logs every error first: install
 * {@linkcode corralErrors} with `app.onError` so these are not logged.
 *
 * The scope ends when the handler returns its `Response`: a streamed body
 * outlives it.
 *
 * @param options `timeout` (ms per request, default none) and `retryAfter` (s, default 1)
 * @returns the middleware, which also reports `inFlight`, `draining` and can `drain()`
 * @throws {TypeError} when an option has the wrong type
 * @throws {RangeError} when `timeout` is NaN or `retryAfter` is not an integer >= 0
 * @example A handler whose sleep stops at the request's deadline, without a signal passed
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import "@corral/node"; // installs the ambient context (or @corral/deno, @corral/bun)
 * import { currentSignal, sleep } from "@corral/core";
 * import { corral, type CorralEnv, corralErrors } from "@corral/hono";
 * const requests = corral({ timeout: 20 });
 * const app = new Hono<CorralEnv>();
 * app.use(requests);
 * app.onError(corralErrors());
 * app.get("/report", async (c) => {
 *   assert.equal(currentSignal(), c.var.signal);
 *   await sleep(60_000); // inherits the request scope
 *   return c.text("done");
 * });
 * assert.equal((await app.request("/report")).status, 504);
 * assert.equal(requests.inFlight, 0);
 * ```
 */
export function corral(options?: CorralOptions): CorralMiddleware {
  const what = "create corral middleware";
  checkOptions(what, options);
  const timeout = checkDuration(what, "timeout", options?.timeout, Infinity);
  const retryAfter = checkRetryAfter(what, options?.retryAfter);
  // The parent of every request scope. Shielded: a program's own shutdown
  // (run()'s signal) must not cut requests short; only drain() cancels it.
  const server = new CancelScope({ shield: true });
  const scopeOptions: CancelScopeOptions = timeout === Infinity
    ? { signal: server.signal }
    : { signal: server.signal, timeout };
  const inFlight = new InFlight();
  let draining = false;
  let stopped = false;

  const middleware = async (c: Context<CorralEnv>, next: Next): Promise<Response | void> => {
    if (stopped) return unavailable(retryAfter);
    const scope = new CancelScope(scopeOptions);
    const request = c.req.raw.signal;
    let stop: (() => void) | undefined;
    if (request.aborted) scope.cancel(CLIENT_GONE);
    else stop = onAbort(request, () => scope.cancel(CLIENT_GONE));
    c.set("scope", scope);
    c.set("signal", scope.signal);
    inFlight.enter();
    try {
      await scope.run(() => next());
    } finally {
      stop?.();
      inFlight.leave();
    }
    const error = c.error;
    if (error !== undefined) {
      const response = responseFor(outcomeOf(error, scope.signal, request.aborted), retryAfter);
      if (response !== undefined) {
        c.res = undefined;
        c.res = response;
      }
    }
    if (draining) c.header("Connection", "close");
  };

  async function drain(options?: DrainOptions): Promise<DrainResult> {
    const what = "drain requests";
    checkOptions(what, options);
    const period = checkDuration(what, "timeout", options?.timeout, 10_000);
    const grace = checkDuration(what, "cancelTimeout", options?.cancelTimeout, 5_000);
    draining = true;
    if (await inFlight.idle(Math.max(period, 0))) return { cancelled: 0, remaining: 0 };
    const cancelled = inFlight.count;
    stopped = true;
    server.cancel("the server is shutting down");
    await inFlight.idle(Math.max(grace, 0));
    return { cancelled, remaining: inFlight.count };
  }

  Object.defineProperties(middleware, {
    inFlight: { get: () => inFlight.count, enumerable: true },
    draining: { get: () => draining, enumerable: true },
    drain: { value: drain, enumerable: true },
  });
  return middleware as unknown as CorralMiddleware;
}

/**
 * A per-route deadline: sets the request scope's deadline to `ms` from now,
 * replacing the middleware's `timeout` (longer or shorter). Put it after
 * {@linkcode corral} on the route: `app.get("/report", routeTimeout(30_000), handler)`.
 *
 * @param ms milliseconds the rest of the request may take; `Infinity` removes the deadline
 * @returns the route middleware
 * @throws {TypeError} when `ms` is not a number
 * @throws {RangeError} when `ms` is NaN
 * @example A slow route with more time than the app's default
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { sleep } from "@corral/core";
 * import { corral, type CorralEnv, routeTimeout } from "@corral/hono";
 * const app = new Hono<CorralEnv>();
 * app.use(corral({ timeout: 5 }));
 * app.get("/report", routeTimeout(5_000), async (c) => {
 *   await sleep(20, { signal: c.var.signal });
 *   return c.text("report");
 * });
 * assert.equal(await (await app.request("/report")).text(), "report");
 * ```
 */
export function routeTimeout(ms: number): MiddlewareHandler<CorralEnv> {
  const timeout = checkDuration("create routeTimeout", "ms", ms, Infinity);
  return (c: Context<CorralEnv>, next: Next): Promise<void> => {
    const scope = c.get("scope");
    if (scope === undefined) {
      throw new Error("Cannot apply routeTimeout as the corral() middleware has not run for this request");
    }
    scope.deadline = timeout === Infinity ? Infinity : now() + timeout;
    return next();
  };
}
