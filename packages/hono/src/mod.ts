/**
 * `@corral/hono`: request scopes for Hono on Node, Deno and Bun. Each request
 * runs inside its own cancel scope — cancelled when the client goes away,
 * when its deadline passes, or when a shutdown's drain period ends — and the
 * scope is ambient for the handler, so queries, `sleep` and task groups
 * inside it stop without being handed a signal. Errors of the scope become
 * responses (504, 503 with `Retry-After`, nothing for a departed client).
 *
 * @example A request with a deadline
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { sleep } from "@corral/core";
 * import { corral, type CorralEnv, corralErrors } from "@corral/hono";
 * const app = new Hono<CorralEnv>();
 * app.use(corral({ timeout: 10 }));
 * app.onError(corralErrors());
 * app.get("/", async (c) => {
 *   await sleep(5_000, { signal: c.var.signal });
 *   return c.text("late");
 * });
 * assert.equal((await app.request("/")).status, 504);
 * ```
 *
 * @module
 */

export {
  corral,
  type CorralEnv,
  type CorralMiddleware,
  type CorralOptions,
  type CorralVariables,
  type DrainOptions,
  type DrainResult,
  routeTimeout,
} from "./middleware.ts";
export { CLIENT_CLOSED_REQUEST, corralErrors, type CorralErrorsOptions } from "./responses.ts";
// Types the public signatures name, so the documentation can link them: the
// core's scope, and Hono's handler and environment types.
export type { CancelScope } from "@corral/core";
export type { Env, ErrorHandler, MiddlewareHandler } from "hono";
