// The @corral/hono suite: a function of a tiny harness, run once per runtime
// (test/node, test/deno, test/bun) with that runtime's own runner, adapter
// (for the ambient context) and HTTP server. The cases that need a real
// socket (a client that goes away) go through the harness's `serve`.
import assert from "node:assert/strict";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { Cancelled, createPool, currentSignal, diagnostics, PoolTimeoutError, sleep, TimeoutError } from "@corral/core";
import { corral, type CorralEnv, corralErrors, routeTimeout } from "@corral/hono";

/** A running server: its base URL and how to stop it. */
export interface Served {
  url: string;
  close(): Promise<void>;
}

export interface Harness {
  test(name: string, fn: () => Promise<void>): void;
  /** Serves `fetch` on a free loopback port with the runtime's own server. */
  serve(fetch: (request: Request) => Response | Promise<Response>): Promise<Served>;
}

/** Runs `fn` with console.error captured; returns what was logged. */
async function capturingErrors(fn: () => Promise<void>): Promise<unknown[][]> {
  const logged: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void logged.push(args);
  try {
    await fn();
  } finally {
    console.error = original;
  }
  return logged;
}

function assertNothingLive(): void {
  const live = diagnostics();
  assert.equal(live.timers, 0, "no live timers");
  assert.equal(live.listeners, 0, "no live listeners");
}

/** Resolves when `check()` holds, polling; rejects after `ms`. */
async function eventually(check: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function honoSuite(h: Harness): void {
  h.test("H-01 the request scope is ambient in the handler and on the context", async () => {
    const app = new Hono<CorralEnv>();
    app.use(corral());
    let inherited: AbortSignal | undefined;
    app.get("/", async (c) => {
      assert.equal(currentSignal(), c.var.signal);
      assert.equal(c.var.scope.signal, c.var.signal);
      await sleep(1);
      inherited = currentSignal();
      return c.text("ok");
    });
    const res = await app.request("/");
    assert.equal(await res.text(), "ok");
    assert.ok(inherited !== undefined);
    assertNothingLive();
  });

  h.test("H-02 a request past its deadline answers 504, its wait is cancelled, nothing is logged", async () => {
    const app = new Hono<CorralEnv>();
    app.use(corral({ timeout: 20 }));
    app.onError(corralErrors());
    let reason: unknown;
    app.get("/slow", async (c) => {
      try {
        await sleep(10_000);
      } catch (error) {
        reason = error;
        throw error;
      }
      return c.text("never");
    });
    const logged = await capturingErrors(async () => {
      const started = Date.now();
      const res = await app.request("/slow");
      assert.equal(res.status, 504);
      assert.ok(Date.now() - started < 5_000);
    });
    assert.ok(reason instanceof Cancelled && reason.kind === "deadline");
    assert.deepEqual(logged, []);
    assertNothingLive();
  });

  h.test("H-03 routeTimeout replaces the app's deadline, longer or shorter", async () => {
    const app = new Hono<CorralEnv>();
    app.use(corral({ timeout: 10 }));
    app.get("/long", routeTimeout(5_000), async (c) => {
      await sleep(40);
      return c.text("long");
    });
    app.get("/short", routeTimeout(10), async (c) => {
      await sleep(5_000);
      return c.text("never");
    });
    app.get("/none", routeTimeout(Infinity), async (c) => {
      await sleep(40);
      return c.text("none");
    });
    assert.equal(await (await app.request("/long")).text(), "long");
    assert.equal(await (await app.request("/none")).text(), "none");
    await capturingErrors(async () => assert.equal((await app.request("/short")).status, 504));
    assert.throws(() => routeTimeout(Number.NaN), /Cannot create routeTimeout as 'ms' must not be NaN/);
    assertNothingLive();
  });

  h.test("H-04 a closed pool or an acquire timeout answers 503 with Retry-After", async () => {
    const pool = createPool({ create: () => Promise.resolve({}), max: 1, acquireTimeout: 10 });
    const app = new Hono<CorralEnv>();
    app.use(corral({ retryAfter: 7 }));
    app.onError(corralErrors());
    app.get("/", (c) => pool.use(() => c.text("ok")));
    app.get("/hold", (c) => pool.use(() => sleep(60).then(() => c.text("held"))));
    const logged = await capturingErrors(async () => {
      const held = app.request("/hold");
      await sleep(10);
      const busy = await app.request("/");
      assert.equal(busy.status, 503);
      assert.equal(busy.headers.get("Retry-After"), "7");
      assert.equal(await (await held).text(), "held");
      await pool.close();
      const closed = await app.request("/");
      assert.equal(closed.status, 503);
      assert.equal(closed.headers.get("Retry-After"), "7");
    });
    assert.deepEqual(logged, []);
    assertNothingLive();
  });

  h.test("H-05 other errors reach Hono's error handling unchanged", async () => {
    const app = new Hono<CorralEnv>();
    app.use(corral({ timeout: 1_000 }));
    app.get("/bug", () => {
      throw new Error("bug");
    });
    app.get("/teapot", () => {
      throw new HTTPException(418, { message: "short and stout" });
    });
    const logged = await capturingErrors(async () => {
      assert.equal((await app.request("/bug")).status, 500);
      const teapot = await app.request("/teapot");
      assert.equal(teapot.status, 418);
      assert.equal(await teapot.text(), "short and stout");
    });
    assert.equal(logged.length, 1); // Hono's default handler logs the bug, as without the middleware
    const own = new Hono<CorralEnv>();
    own.use(corral());
    own.onError(corralErrors((error, c) => c.text(`handled ${error.message}`, 502)));
    own.get("/bug", () => {
      throw new Error("bug");
    });
    // A timeout that is not a pool's acquire timeout is the handler's failure, whatever its message says.
    own.get("/timeout", () => {
      throw new TimeoutError("pool: a hook's grace period ran out");
    });
    // An acquire timeout is recognised by its type, not its message (wrapped, as a driver might).
    own.get("/exhausted", () => {
      throw new Error("query failed", { cause: new PoolTimeoutError("no connection in time") });
    });
    const res = await own.request("/bug");
    assert.equal(res.status, 502);
    assert.equal(await res.text(), "handled bug");
    const timeout = await own.request("/timeout");
    assert.equal(timeout.status, 502);
    assert.equal(await timeout.text(), "handled pool: a hook's grace period ran out");
    const exhausted = await own.request("/exhausted");
    assert.equal(exhausted.status, 503);
    assert.equal(exhausted.headers.get("Retry-After"), "1");
    assertNothingLive();
  });

  h.test("H-06 without corralErrors the middleware still answers 504 for the deadline", async () => {
    const app = new Hono<CorralEnv>();
    app.use(corral({ timeout: 10 }));
    app.get("/", async (c) => {
      await sleep(5_000);
      return c.text("never");
    });
    await capturingErrors(async () => assert.equal((await app.request("/")).status, 504));
    assertNothingLive();
  });

  h.test("H-07 a client that disconnects cancels its request's scope within a second", async () => {
    const requests = corral();
    const app = new Hono<CorralEnv>();
    app.use(requests);
    app.onError(corralErrors());
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    let reason: unknown;
    let cancelledAt = 0;
    app.get("/slow", async (c) => {
      entered();
      try {
        await sleep(10_000);
      } catch (error) {
        reason = error;
        cancelledAt = Date.now();
        throw error;
      }
      return c.text("never");
    });
    const served = await h.serve(app.fetch);
    try {
      const logged = await capturingErrors(async () => {
        const client = new AbortController();
        const request = fetch(`${served.url}/slow`, { signal: client.signal }).catch((error) => error);
        await inside;
        const abortedAt = Date.now();
        client.abort();
        assert.equal((await request as Error).name, "AbortError");
        await eventually(() => requests.inFlight === 0, 5_000, "the request to leave the middleware");
        assert.ok(reason instanceof Cancelled && /client disconnected/.test(reason.message), String(reason));
        assert.ok(cancelledAt - abortedAt < 1_000, `cancelled ${cancelledAt - abortedAt} ms after the abort`);
        await sleep(20); // whatever the server does with the answer nobody reads
      });
      assert.deepEqual(logged, [], "a departed client is not logged as a failure");
    } finally {
      await served.close();
    }
  });

  h.test("H-08 drain lets requests finish, then cancels what is left (503)", async () => {
    const requests = corral();
    const app = new Hono<CorralEnv>();
    app.use(requests);
    app.onError(corralErrors());
    app.get("/quick", async (c) => {
      await sleep(30);
      return c.text("quick");
    });
    const quick = app.request("/quick");
    await sleep(1);
    assert.equal(requests.inFlight, 1);
    assert.deepEqual(await requests.drain({ timeout: 5_000 }), { cancelled: 0, remaining: 0 });
    const done = await quick;
    assert.equal(await done.text(), "quick");
    assert.equal(done.headers.get("Connection"), "close");
    assert.ok(requests.draining);

    const second = corral();
    const app2 = new Hono<CorralEnv>();
    app2.use(second);
    app2.onError(corralErrors());
    app2.get("/stuck", async (c) => {
      await sleep(60_000);
      return c.text("never");
    });
    app2.get("/quick", (c) => c.text("quick"));
    const stuck = app2.request("/stuck");
    await sleep(1);
    const result = await second.drain({ timeout: 20, cancelTimeout: 5_000 });
    assert.deepEqual(result, { cancelled: 1, remaining: 0 });
    assert.equal((await stuck).status, 503);
    assert.equal((await app2.request("/quick")).status, 503, "requests after the drain period are cancelled");
    assertNothingLive();
  });

  h.test("H-09 invalid options are rejected at construction, naming the option", () => {
    assert.throws(() => corral({ timeout: "5" as unknown as number }), {
      name: "TypeError",
      message: /Cannot create corral middleware as 'timeout' must be a number of milliseconds: received "5"/,
    });
    assert.throws(() => corral({ timeout: Number.NaN }), RangeError);
    assert.throws(() => corral({ retryAfter: -1 }), /'retryAfter' must be an integer >= 0: received -1/);
    assert.throws(() => corral(3 as never), /'options' must be an object/);
    assert.throws(() => corralErrors(3 as never), TypeError);
    return Promise.resolve();
  });
}
