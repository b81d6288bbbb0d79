import { describe, expect, test } from "vitest";
import { diagnostics } from "../base/diagnostics.ts";
import { PoolClosedError, TimeoutError } from "../base/errors.ts";
import { createPool } from "./pool.ts";
import type { PoolEvent } from "./pool-event.ts";

interface Res {
  id: number;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A create the test settles by hand; it honours its signal. */
function manualCreates() {
  let next = 0;
  const calls: { signal: AbortSignal; resolve: () => void; reject: (e: unknown) => void }[] = [];
  const create = (signal: AbortSignal) =>
    new Promise<Res>((resolve, reject) => {
      const id = ++next;
      calls.push({ signal, resolve: () => resolve({ id }), reject });
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
  return { create, calls };
}

describe("createPool: creates for waiters", () => {
  test("a waiter that leaves cancels its create only when no other waiter needs it", async () => {
    const { create, calls } = manualCreates();
    const pool = createPool({ create, max: 1 });
    const first = pool.acquire({ timeout: 5 });
    const second = pool.acquire({ timeout: 60_000 });
    await expect(first).rejects.toBeInstanceOf(TimeoutError);
    expect(calls.length).toBe(1);
    expect(calls[0]!.signal.aborted, "the second waiter still needs it").toBe(false);
    calls[0]!.resolve();
    const lease = await second;
    expect(lease.resource.id).toBe(1);
    await lease.release();
    await pool.close();
  });

  test("while creates fail, only one probe is in flight and a success ends the backoff", async () => {
    const { create, calls } = manualCreates();
    const pool = createPool({ create, max: 3, retryDelay: 1, maxRetryDelay: 1 });
    const waits = [pool.acquire(), pool.acquire(), pool.acquire()].map((p) => p.then((l) => l, (e) => e));
    await delay(0);
    expect(calls.length, "one create per waiter at first").toBe(3);
    calls[0]!.reject(new Error("down"));
    await delay(10);
    expect(calls.length, "the in-flight creates are not doubled while failing").toBe(3);
    calls[1]!.reject(new Error("down"));
    calls[2]!.reject(new Error("down"));
    expect(((await waits[0]) as Error).message).toBe("down");
    expect(((await waits[1]) as Error).message).toBe("down");
    expect(((await waits[2]) as Error).message).toBe("down");
    expect(pool.stats.pending).toBe(0);
    const later = pool.acquire();
    await delay(5);
    expect(calls.length, "one probe").toBe(4);
    calls[3]!.resolve();
    const lease = await later;
    const more = [pool.acquire(), pool.acquire()];
    await delay(0);
    expect(calls.length, "after a success, creates run in parallel again").toBe(6);
    calls[4]!.resolve();
    calls[5]!.resolve();
    for (const l of await Promise.all(more)) await l.release();
    await lease.release();
    await pool.close();
  });

  test("min is restored when resources are destroyed", async () => {
    let n = 0;
    const pool = createPool({ create: () => ({ id: ++n }), min: 2, max: 4 });
    await pool.ready();
    const lease = await pool.acquire();
    await lease.destroy();
    await delay(1);
    expect(pool.stats.size).toBe(2);
    expect(pool.stats.created).toBe(3);
    await pool.close();
  });
});

describe("createPool: events", () => {
  test("release is dispatched before the next borrower's acquire, and stats add up inside listeners", async () => {
    const pool = createPool({ create: () => ({ id: 1 }), max: 1 });
    const seen: string[] = [];
    for (const type of ["acquire", "release"] as const) {
      pool.addEventListener(type, () => {
        const st = pool.stats;
        expect(st.size).toBe(st.creating + st.idle + st.borrowed + st.maintaining);
        seen.push(type);
      });
    }
    const first = await pool.acquire();
    const next = pool.acquire();
    await first.release();
    await (await next).release();
    expect(seen).toEqual(["acquire", "release", "acquire", "release"]);
    await pool.close();
  });

  test("no event is built for a type nobody listens to", async () => {
    const pool = createPool({ create: () => ({}), max: 1 });
    let dispatched = 0;
    const dispatch = pool.dispatchEvent.bind(pool);
    pool.dispatchEvent = (event: Event) => (dispatched++, dispatch(event));
    await (await pool.acquire()).release();
    expect(dispatched).toBe(0);
    pool.addEventListener("release", () => {});
    await (await pool.acquire()).release();
    expect(dispatched).toBe(1);
    await pool.close();
  });

  test("a listener that acquires inside 'release' gets the resource just given back", async () => {
    const pool = createPool({ create: () => ({ id: 1 }), max: 1 });
    let inner: Promise<unknown> | undefined;
    pool.addEventListener("release", () => {
      inner ??= pool.acquire().then((l) => l.release());
    }, { once: true });
    await (await pool.acquire()).release();
    await inner;
    expect(pool.stats).toMatchObject({ idle: 1, borrowed: 0, pending: 0, size: 1 });
    await pool.close();
  });
});

describe("createPool: timers", () => {
  test("queued acquires share one timer; an idle hand-out arms none", async () => {
    const pool = createPool({ create: () => ({}), max: 1, acquireTimeout: 60_000, idleTimeout: Infinity });
    const held = await pool.acquire();
    const waits = Array.from({ length: 50 }, () => pool.acquire());
    expect(diagnostics().timers).toBe(1);
    await held.release();
    for (const w of waits) await (await w).release();
    expect(diagnostics().timers).toBe(0);
    await pool.close();
  });

  test("idleTimeout never evicts early", async () => {
    const pool = createPool({ create: () => ({}), max: 2, idleTimeout: 200 });
    const [a, b] = [await pool.acquire(), await pool.acquire()];
    await a.release();
    await b.release();
    const start = performance.now();
    while (pool.stats.idle === 2) await delay(5);
    expect(performance.now() - start).toBeGreaterThanOrEqual(199);
    await pool.close();
  });
});

describe("Lease", () => {
  test("signal is made once, hangs under the acquire's signal while held, and is unlinked on release", async () => {
    const pool = createPool({ create: () => ({}), max: 1 });
    const bare = await pool.acquire();
    void bare.signal;
    expect(diagnostics(), "no borrower scope: nothing to link").toMatchObject({ links: 0, listeners: 0 });
    await bare.release();
    const request = new AbortController();
    const lease = await pool.acquire({ signal: request.signal });
    expect(diagnostics().listeners, "nothing until the signal is read").toBe(0);
    const signal = lease.signal;
    expect(lease.signal).toBe(signal);
    expect(diagnostics().listeners).toBe(1);
    await lease.release();
    expect(signal.aborted).toBe(false);
    expect(diagnostics().listeners).toBe(0);
    expect(() => lease.signal).toThrow(ReferenceError);
    await pool.close();
  });

  test("use(): an isBroken that throws counts as broken", async () => {
    const pool = createPool({
      create: () => ({}),
      isBroken: () => {
        throw new Error("bad predicate");
      },
      max: 1,
    });
    await expect(pool.use(() => Promise.reject(new Error("work failed")))).rejects.toThrow("work failed");
    expect(pool.stats.destroyed).toBe(1);
    await pool.close();
  });

  test("a setup that returns a promise fails the acquire with a TypeError and destroys the resource", async () => {
    let destroyed = 0;
    const pool = createPool({
      create: () => ({}),
      destroy: () => void destroyed++,
      setup: (() => Promise.reject(new Error("async setup"))) as never,
      max: 1,
    });
    await expect(pool.acquire()).rejects.toThrow(/'setup' must return synchronously/);
    expect(destroyed).toBe(1);
    expect(pool.stats).toMatchObject({ borrowed: 0, size: 0, acquires: 0 });
    await pool.close();
  });

  test("validate runs once per borrow, even with many waiters", async () => {
    let checks = 0;
    const pool = createPool({
      create: () => ({}),
      validate: async () => (checks++, await delay(1), true),
      validateAfterIdle: 0,
      max: 1,
    });
    await (await pool.acquire()).release();
    const leases = [pool.acquire(), pool.acquire(), pool.acquire()];
    for (const l of leases) await (await l).release();
    expect(checks, "only the idle hand-out is validated; direct hand-offs are not").toBe(1);
    const events: PoolEvent[] = [];
    pool.addEventListener("error", (e) => events.push(e));
    expect(events).toEqual([]);
    await pool.close();
  });
});

/** True when `promise` settles within `ms` (the timer is cleared either way). */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

describe("createPool: close() from inside a hook, in the core alone (no ambient context)", () => {
  test("a hook that calls close() synchronously is recognised and not waited for", async () => {
    const destroyed: number[] = [];
    let n = 0;
    const pool: ReturnType<typeof createPool<Res>> = createPool<Res>({
      create: () => ({ id: ++n }),
      destroy: (r) => (destroyed.push(r.id), pool.close()),
      min: 2,
      max: 3,
      cleanupTimeout: 20_000,
    });
    await pool.ready();
    const lease = await pool.acquire();
    expect(await settlesWithin(lease.destroy(), 2_000), "the destroy (and its close) settled").toBe(true);
    expect(pool.closed).toBe(true);
    await pool.close();
    expect(destroyed.sort(), "each destroyed once").toEqual([1, 2]);
    expect(pool.stats.size).toBe(0);
  });

  test("after an await it cannot be recognised without an adapter: the hook's grace period ends the wait", async () => {
    const pool: ReturnType<typeof createPool<Res>> = createPool<Res>({
      create: () => ({ id: 1 }),
      destroy: async () => {
        await delay(0);
        await pool.close();
      },
      max: 1,
      cleanupTimeout: 30,
    });
    const errors: unknown[] = [];
    pool.addEventListener("error", (e) => errors.push(e.error));
    await (await pool.acquire()).destroy();
    expect(errors[0]).toBeInstanceOf(TimeoutError);
    await pool.close();
    expect(diagnostics()).toMatchObject({ timers: 0, links: 0, listeners: 0 });
  });

  test("a create that fails with its own error after close() cancelled it is an error event", async () => {
    const { create, calls } = manualCreates();
    const ignoring = (signal: AbortSignal) => create(new AbortController().signal).finally(() => void signal);
    const pool = createPool({ create: ignoring, max: 1, cleanupTimeout: 20_000 });
    const errors: unknown[] = [];
    pool.addEventListener("error", (e) => errors.push(e.error));
    const pending = pool.acquire();
    await pool.close();
    await expect(pending).rejects.toBeInstanceOf(PoolClosedError);
    const refused = new Error("connection refused");
    calls[0]!.reject(refused);
    await delay(0);
    expect(errors).toEqual([refused]);
  });
});

describe("createPool: the caller's deadline bounds the release it waits for", () => {
  test("a reset that hangs: the release returns when the caller's signal aborts; the reset goes on, counted", async () => {
    let finish = () => {};
    const pool = createPool<Res>({
      create: () => ({ id: 1 }),
      reset: () => new Promise<void>((resolve) => (finish = resolve)),
      max: 1,
      cleanupTimeout: 60_000,
    });
    const caller = new AbortController();
    const lease = await pool.acquire({ signal: caller.signal });
    let returned = false;
    const release = lease.release().then(() => void (returned = true));
    await delay(10);
    expect(returned, "the caller waits for the reset while its deadline holds").toBe(false);
    caller.abort(new Error("deadline"));
    await release;
    expect(pool.stats.size, "the resource still counts while its reset runs").toBe(1);
    expect(pool.stats.idle).toBe(0);
    finish();
    await delay(0);
    expect(pool.stats.idle, "back in the pool once the reset ends").toBe(1);
    await pool.close();
    expect(diagnostics().timers).toBe(0);
  });

  test("a caller already past its deadline waits only briefly for a hanging reset", async () => {
    let finish = () => {};
    const pool = createPool<Res>({
      create: () => ({ id: 1 }),
      reset: () => new Promise<void>((resolve) => (finish = resolve)),
      max: 1,
      cleanupTimeout: 60_000,
    });
    const caller = new AbortController();
    const lease = await pool.acquire({ signal: caller.signal });
    caller.abort(new Error("deadline"));
    const start = performance.now();
    await lease.release();
    expect(performance.now() - start).toBeLessThan(5_000);
    finish();
    await pool.close();
  });
});
