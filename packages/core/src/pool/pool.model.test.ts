// Model-based property tests: random sequences of acquire (exclusive or
// shared) / release / destroy / abort / timeout / create success and
// failure / close against a model of what the pool promises. Time is fake (setTimeout and
// performance.now), so thousands of sequences with real deadlines take
// seconds; creates are settled by the sequence itself.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { diagnostics } from "../base/diagnostics.ts";
import { PoolClosedError, TimeoutError } from "../base/errors.ts";
import type { Lease } from "./lease.ts";
import { createPool, type Pool } from "./pool.ts";

beforeAll(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
});
afterAll(() => {
  vi.useRealTimers();
});

/** One macrotask on the real event loop: every microtask chain the pool started has run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Res {
  id: number;
}

type Command =
  | { t: "acquire"; timeout: number | undefined; abortable: boolean; shared: boolean }
  | { t: "release"; i: number }
  | { t: "destroy"; i: number }
  | { t: "releaseTwice"; i: number }
  | { t: "abort"; i: number }
  | { t: "settleCreate"; i: number; ok: boolean }
  | { t: "advance"; ms: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant("acquire" as const),
      timeout: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
      abortable: fc.boolean(),
      shared: fc.boolean(),
    }),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("release" as const), i: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("destroy" as const), i: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("releaseTwice" as const), i: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("abort" as const), i: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant("settleCreate" as const), i: fc.nat(), ok: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("advance" as const), ms: fc.integer({ min: 1, max: 40 }) }) },
);

const config = fc.record({
  max: fc.integer({ min: 1, max: 4 }),
  maxShared: fc.integer({ min: 1, max: 3 }),
  minFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  acquireTimeout: fc.oneof(fc.integer({ min: 1, max: 80 }), fc.constant(Infinity)),
  idleTimeout: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constant(Infinity)),
  maxUses: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constant(Infinity)),
  maxLifetime: fc.oneof(fc.integer({ min: 5, max: 100 }), fc.constant(Infinity)),
  asyncDestroy: fc.boolean(),
  failingDestroy: fc.boolean(),
  reset: fc.constantFrom("none", "ok", "fails"),
  closeTimeout: fc.integer({ min: 0, max: 30 }),
  terminate: fc.boolean(),
});

type Config = typeof config extends fc.Arbitrary<infer C> ? C : never;

interface Pending {
  promise: Promise<unknown>;
  settled: boolean;
  outcome: unknown;
  start: number;
  deadline: number;
  controller: AbortController | undefined;
  reason: unknown;
  shared: boolean;
}

/** Runs one sequence; throws (failing the property) on the first broken promise. */
async function run(cfg: Config, commands: Command[]): Promise<void> {
  const min = Math.floor(cfg.minFraction * cfg.max);
  let nextId = 0;
  const creates: { resolve: (r: Res) => void; reject: (e: unknown) => void; signal: AbortSignal }[] = [];
  const alive = new Set<number>();
  let destroyCalls = 0;
  /** Async destroys still running: those resources still exist. */
  let destroying = 0;
  let createdOk = 0;
  /** The leases out on each resource: never an exclusive one with another lease, never more than maxShared shared. */
  const inUse = new Map<number, { exclusive: number; shared: number }>();
  /** Resources a lease destroyed: never lent again. */
  const broken = new Set<number>();
  const leases: Lease<Res>[] = [];
  const pending: Pending[] = [];
  const all: Pending[] = [];
  const violations: string[] = [];
  let closeStarted = false;

  const pool: Pool<Res> = createPool<Res>({
    create: (signal) =>
      new Promise<Res>((resolve, reject) => {
        const entry = {
          resolve: (r: Res) => {
            createdOk++;
            alive.add(r.id);
            resolve(r);
          },
          reject,
          signal,
        };
        creates.push(entry);
        // An honest create: it stops when its signal aborts.
        signal.addEventListener("abort", () => {
          creates.splice(creates.indexOf(entry), 1);
          reject(signal.reason);
        }, { once: true });
      }),
    destroy: (r) => {
      // Thrown here, an assertion would only become an `error` event: record it.
      if (!alive.has(r.id)) violations.push(`resource ${r.id} destroyed twice`);
      if (inUse.has(r.id) && !closeStarted) violations.push(`resource ${r.id} destroyed while lent`);
      alive.delete(r.id);
      destroyCalls++;
      if (cfg.failingDestroy && r.id % 2 === 0) throw new Error("destroy failed");
      if (cfg.asyncDestroy) {
        destroying++;
        return new Promise<void>((resolve) =>
          setTimeout(() => {
            destroying--;
            resolve();
          }, 3)
        );
      }
    },
    reset: cfg.reset === "none" ? undefined : (r) => {
      if (cfg.reset === "fails" && r.id % 3 === 0) throw new Error("reset failed");
    },
    min,
    max: cfg.max,
    acquireTimeout: cfg.acquireTimeout,
    idleTimeout: cfg.idleTimeout,
    maxUses: cfg.maxUses,
    maxShared: cfg.maxShared,
    maxLifetime: cfg.maxLifetime,
    cleanupTimeout: 10,
    retryDelay: 2,
    maxRetryDelay: 8,
  });
  // Every lease ends exactly once: a release event each (close revokes the rest, silently).
  let acquireEvents = 0;
  let releaseEvents = 0;
  let ended = 0;
  pool.addEventListener("acquire", () => acquireEvents++);
  pool.addEventListener("release", () => releaseEvents++);

  const check = () => {
    expect(violations).toEqual([]);
    const st = pool.stats;
    expect(creates.length + alive.size + destroying, "max never exceeded, counting creates and destroys in flight")
      .toBeLessThanOrEqual(cfg.max);
    expect(st.size).toBe(st.creating + st.idle + st.borrowed + st.maintaining);
    expect(st.size).toBeLessThanOrEqual(cfg.max);
    expect(st.created - st.destroyed).toBe(st.idle + st.borrowed + st.maintaining);
    expect(st.created).toBe(createdOk);
    expect(st.destroyed).toBe(destroyCalls - destroying);
    expect(st.creating).toBe(creates.length);
    expect(st.borrowed, "a shared resource counts once").toBe(inUse.size);
    expect(st.shared).toBe(leases.filter((l) => l.shared).length);
    expect(acquireEvents).toBe(leases.length + ended);
    expect(releaseEvents).toBe(ended);
    expect(st.pending).toBe(pending.length);
    if (st.pending > 0) expect(st.idle, "no idle resource while acquires wait").toBe(0);
    const now = performance.now();
    for (const p of pending) expect(now, "no acquire waits past its deadline").toBeLessThan(p.deadline + 1);
  };

  const settle = () => {
    for (let i = pending.length - 1; i >= 0; i--) {
      const p = pending[i]!;
      if (!p.settled) continue;
      pending.splice(i, 1);
      const outcome = p.outcome;
      if (outcome instanceof Error) {
        if (closeStarted && outcome instanceof PoolClosedError) continue;
        if (p.reason !== undefined) expect(outcome, "an abort rejects with its reason").toBe(p.reason);
        else if (outcome instanceof TimeoutError) expect(performance.now()).toBeGreaterThanOrEqual(p.deadline);
        else expect(outcome.message, "only timeouts, aborts and create errors reject").toBe("create failed");
        continue;
      }
      const lease = outcome as Lease<Res>;
      expect(lease.active, "a fresh lease is active").toBe(true);
      expect(lease.shared).toBe(p.shared);
      const id = lease.resource.id;
      expect(broken.has(id), `resource ${id} lent after a lease destroyed it`).toBe(false);
      const held = inUse.get(id) ?? { exclusive: 0, shared: 0 };
      expect(held.exclusive, `resource ${id} lent while lent exclusively`).toBe(0);
      if (lease.shared) {
        expect(held.shared, `resource ${id} shared beyond maxShared`).toBeLessThan(cfg.maxShared);
        held.shared++;
      } else {
        expect(held.shared, `resource ${id} lent exclusively while shared`).toBe(0);
        held.exclusive++;
      }
      inUse.set(id, held);
      leases.push(lease);
    }
  };

  const end = (i: number, how: "release" | "destroy" | "twice") => {
    if (leases.length === 0) return;
    const lease = leases.splice(i % leases.length, 1)[0]!;
    const id = lease.resource.id;
    const held = inUse.get(id)!;
    if (lease.shared) held.shared--;
    else held.exclusive--;
    if (held.shared + held.exclusive === 0) inUse.delete(id);
    ended++;
    if (how === "destroy") {
      broken.add(id);
      void lease.destroy(new Error("broken"));
    } else void lease.release();
    expect(lease.active).toBe(false);
    if (how === "twice") {
      const before = JSON.stringify(pool.stats);
      void lease.release();
      void lease.destroy();
      expect(JSON.stringify(pool.stats), "a second end does nothing").toBe(before);
    }
  };

  try {
    await drive();
  } catch (error) {
    // Leave nothing behind for the next sequence (fast-check shrinks by rerunning).
    closeStarted = true;
    const closing = pool.terminate();
    for (let i = 0; i < 200; i++) {
      await flush();
      creates.shift()?.reject(new Error("cleanup"));
      vi.advanceTimersByTime(10);
    }
    await closing;
    throw error;
  }

  async function drive(): Promise<void> {
    for (const cmd of commands) {
      switch (cmd.t) {
        case "acquire": {
          const controller = cmd.abortable ? new AbortController() : undefined;
          const start = performance.now();
          const timeout = cmd.timeout ?? cfg.acquireTimeout;
          const p: Pending = {
            promise: undefined as never,
            settled: false,
            outcome: undefined,
            start,
            deadline: start + timeout,
            controller,
            reason: undefined,
            shared: cmd.shared,
          };
          const options = { signal: controller?.signal, timeout: cmd.timeout, shared: cmd.shared };
          p.promise = pool.acquire(options).then(
            (lease) => ((p.settled = true), (p.outcome = lease)),
            (error) => ((p.settled = true), (p.outcome = error)),
          );
          pending.push(p);
          all.push(p);
          break;
        }
        case "release":
          end(cmd.i, "release");
          break;
        case "destroy":
          end(cmd.i, "destroy");
          break;
        case "releaseTwice":
          end(cmd.i, "twice");
          break;
        case "abort": {
          const candidates = pending.filter((p) => p.controller !== undefined && !p.settled);
          if (candidates.length === 0) break;
          const p = candidates[cmd.i % candidates.length]!;
          p.reason = new Error("aborted by the test");
          p.controller!.abort(p.reason);
          break;
        }
        case "settleCreate": {
          if (creates.length === 0) break;
          const c = creates.splice(cmd.i % creates.length, 1)[0]!;
          if (cmd.ok) {
            c.resolve({ id: ++nextId });
            break;
          }
          const error = new Error("create failed");
          const waiting = pending.filter((p) => !p.settled);
          c.reject(error);
          if (waiting.length > 0) {
            await flush();
            expect(waiting.some((p) => p.outcome === error), "a create failure reaches a waiter").toBe(true);
          }
          break;
        }
        case "advance":
          vi.advanceTimersByTime(cmd.ms);
          break;
      }
      await flush();
      settle();
      check();
    }
  }

  // close() (or terminate()) always settles, and leaves nothing behind.
  let closed = false;
  closeStarted = true;
  const closing = (cfg.terminate ? pool.terminate() : pool.close({ timeout: cfg.closeTimeout })).then(() => {
    closed = true;
  });
  for (let i = 0; i < 500 && !closed; i++) {
    await flush();
    if (creates.length > 0) creates.shift()!.resolve({ id: ++nextId }); // late arrivals are destroyed
    vi.advanceTimersByTime(5);
  }
  await flush();
  expect(closed, "close() settled").toBe(true);
  await closing;
  settle();
  expect(pending.length, "every acquire settled").toBe(0);
  for (const p of all) expect(p.settled).toBe(true);
  await expect(pool.acquire()).rejects.toBeInstanceOf(PoolClosedError);
  for (const lease of leases) expect(lease.active, "close ended every lease").toBe(false);
  expect(releaseEvents, "no lease revoked by close was also released").toBe(ended);
  expect(violations).toEqual([]);
  expect(alive.size, "every resource destroyed exactly once").toBe(0);
  const st = pool.stats;
  expect(st.size).toBe(0);
  expect(st.created).toBe(st.destroyed);
  expect(diagnostics()).toEqual({ timers: 0, links: 0, listeners: 0 });
}

describe("Pool model", () => {
  test("random sequences keep every promise: max, maxShared, exclusive xor shared, exactly-once leases, consistent stats, close settles", async () => {
    await fc.assert(
      fc.asyncProperty(
        config,
        fc.array(command, { minLength: 1, maxLength: 40 }),
        (cfg, commands) => run(cfg, commands),
      ),
      { numRuns: 2_000 },
    );
  });
});
