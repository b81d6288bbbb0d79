/**
 * `checkDriverFaults(harness, factories)`: the dead-peer suite every corral
 * driver runs (cases `DF-…`), next to {@linkcode checkDriver}. Each case puts
 * a {@linkcode freezableProxy} between a fresh pool and the real server,
 * makes the network fail in one way (`hole`, `drop`, `drop-all`, `reset`),
 * and checks what a caller sees: every call returns within its deadline, the
 * pool opens no storm of connections, serves again soon after the network
 * heals, and after `close()` leaves no socket at the proxy and no session on
 * the server.
 *
 * Bounds in the assertions are generous (a loaded 2-core machine); the exact
 * figures go to `factories.record` when given (a bench prints them).
 *
 * @module
 */

import type { DriverPool } from "./driver.ts";
import type { FreezableProxy, ProxyMode } from "./freezable-proxy.ts";
import type { Harness } from "./harness.ts";
import { createSuite } from "./suite.ts";
import { delay, ok } from "./assert.ts";

/** What the fault cases measured in one scenario (all durations in ms). */
export interface FaultFigures {
  /** The case id ("DF-01"). */
  readonly id: string;
  /** The proxy mode the case puts the network in. */
  readonly mode: ProxyMode;
  /** The callers' deadline. */
  readonly deadline: number;
  /** The longest time a caller waited during the fault. */
  readonly longest: number;
  /** From the heal to the first successful call (NaN when not measured). */
  readonly recovery: number;
  /** Connections the pool opened at the proxy while the network was failing. */
  readonly opened: number;
  /** How long `close()` took. */
  readonly closing: number;
  /** Client sockets still open at the proxy after close. */
  readonly sockets: number;
  /** Server sessions of the pool still there after close. */
  readonly sessions: number;
}

/** What a driver hands {@linkcode checkDriverFaults}. */
export interface DriverFaultFactories<T> {
  /** Names the driver in test titles ("postgres"). */
  name: string;
  /** Starts a proxy to the test server (`freezableProxy(net, target)`). */
  openProxy(): Promise<FreezableProxy>;
  /**
   * A fresh pool whose connections go to 127.0.0.1:`port` and carry `tag`
   * (Redis `CLIENT SETNAME`, PostgreSQL `application_name`), with a create
   * bound of `connectTimeout` ms and the pool option `cleanupTimeout`.
   */
  makePool(options: {
    port: number;
    max: number;
    tag: string;
    connectTimeout: number;
    cleanupTimeout: number;
  }): DriverPool<T> | Promise<DriverPool<T>>;
  /** A quick round trip that obeys `signal`. */
  quick(resource: T, signal: AbortSignal): Promise<unknown>;
  /** A quick round trip sent without any signal: only the lease's deadline can bound it. */
  plain(resource: T): Promise<unknown>;
  /** A round trip that leaves session state the release must clean up. */
  dirty(resource: T, signal: AbortSignal): Promise<unknown>;
  /** The server sessions (seen from outside the proxy) carrying `tag`. */
  sessions(tag: string): Promise<number>;
  /**
   * Runs a transaction on a lease from `pool` bounded by `signal`; calls
   * `beforeCommit()` just before sending the commit (`EXEC`/`COMMIT`).
   */
  transaction(pool: DriverPool<T>, signal: AbortSignal, beforeCommit: () => void): Promise<unknown>;
  /** Receives each scenario's figures (for a bench). */
  record?(figures: FaultFigures): void;
}

/** The callers' deadline in the cases. */
const DEADLINE = 300;
/** What the assertions allow over a bound (the target is 100 ms; CI machines are loaded). */
const SLACK = 700;
const MAX = 3;
/** The `close({ timeout })` every case ends with. */
const CLOSE_TIMEOUT = 300;

let tags = 0;

/**
 * Registers the dead-peer cases with `harness.test`. After each case the
 * suite checks that corral holds no timer, link or listener.
 *
 * @param harness the runner's `test`, the module under test
 * @param factories the driver's pool factory, operations and session count
 * @returns the number of cases registered
 */
export function checkDriverFaults<T>(harness: Harness, factories: DriverFaultFactories<T>): number {
  const suite = createSuite({
    ...harness,
    test: (name, fn) => harness.test(`${name} (${factories.name})`, fn),
  });
  const { quick, plain } = factories;

  /** Runs `call` with a fresh deadline; returns how long the caller waited and whether it succeeded. */
  async function timed(call: (signal: AbortSignal) => Promise<unknown>): Promise<[number, boolean]> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error("deadline")), DEADLINE);
    const start = performance.now();
    try {
      await call(controller.signal);
      return [performance.now() - start, true];
    } catch {
      return [performance.now() - start, false];
    } finally {
      clearTimeout(timer);
    }
  }

  /** Calls until one succeeds (each with the deadline); returns the time from now to that success. */
  async function recover(pool: DriverPool<T>): Promise<number> {
    const start = performance.now();
    for (;;) {
      const [, ok] = await timed((signal) => pool.use((r, s) => quick(r, s), { signal }));
      if (ok) return performance.now() - start;
      if (performance.now() - start > 10_000) return Infinity;
      await delay(10);
    }
  }

  async function eventually(check: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
    const end = performance.now() + ms;
    for (;;) {
      if (await check()) return true;
      if (performance.now() > end) return false;
      await delay(20);
    }
  }

  interface Scenario {
    pool: DriverPool<T>;
    proxy: FreezableProxy;
    tag: string;
  }

  /** A proxy, a pool through it warmed to `MAX` connections, and the checks every scenario ends with. */
  async function scenario(
    id: string,
    mode: ProxyMode,
    body: (s: Scenario) => Promise<{ longest: number; recovery: number; opened: number }>,
    cleanupTimeout = 2000,
    warm = true,
  ): Promise<void> {
    const proxy = await factories.openProxy();
    const tag = `corral-df-${Date.now().toString(36)}-${++tags}`;
    const pool = await factories.makePool({ port: proxy.port, max: MAX, tag, connectTimeout: 1000, cleanupTimeout });
    try {
      if (warm) {
        // MAX leases at once: MAX connections, and no create still in flight when the fault starts.
        const leases = await Promise.all(Array.from({ length: MAX }, () => pool.acquire()));
        await Promise.all(leases.map((lease) => quick(lease.resource, lease.signal)));
        await Promise.all(leases.map((lease) => lease.release()));
      }
      const figures = await body({ pool, proxy, tag });
      const start = performance.now();
      await pool.close({ timeout: CLOSE_TIMEOUT });
      const closing = performance.now() - start;
      // A create that close() cancelled still counts until it settles (at once, for a driver that obeys its signal).
      const emptied = await eventually(() => pool.stats.size === 0, 500);
      const closed = await eventually(() => proxy.clients === 0, 1000);
      const sessionsGone = await eventually(async () => (await factories.sessions(tag)) === 0, 3000);
      const result: FaultFigures = {
        id,
        mode,
        deadline: DEADLINE,
        ...figures,
        closing,
        sockets: proxy.clients,
        sessions: await factories.sessions(tag),
      };
      factories.record?.(result);
      ok(
        figures.longest <= DEADLINE + SLACK,
        `${id}: a caller waited ${Math.round(figures.longest)} ms past a ${DEADLINE} ms deadline`,
      );
      ok(
        Number.isNaN(figures.recovery) || figures.recovery <= 1000 + SLACK,
        `${id}: the first call after the heal succeeded after ${Math.round(figures.recovery)} ms`,
      );
      ok(figures.opened <= 3 * MAX, `${id}: ${figures.opened} connections opened during the fault (a storm)`);
      ok(
        closing <= CLOSE_TIMEOUT + cleanupTimeout + SLACK,
        `${id}: close({ timeout: ${CLOSE_TIMEOUT} }) took ${Math.round(closing)} ms`,
      );
      ok(emptied, `${id}: stats.size is ${pool.stats.size} after close()`);
      ok(closed, `${id}: ${proxy.clients} client sockets left at the proxy after close()`);
      ok(sessionsGone, `${id}: ${result.sessions} server sessions left after close()`);
    } finally {
      await pool.close({ timeout: 0 }).catch(() => {});
      await proxy.close();
    }
  }

  /** During the fault: two rounds of callers (quick, plain, acquire), each with the deadline; then heal and recover. */
  function faultThenHeal(mode: ProxyMode) {
    return async ({ pool, proxy }: Scenario) => {
      const before = proxy.opened;
      proxy.setMode(mode);
      let longest = 0;
      for (let round = 0; round < 2; round++) {
        const calls = [
          timed((signal) => pool.use((r, s) => quick(r, s), { signal })),
          timed((signal) => pool.use((r) => plain(r), { signal })),
          timed((signal) => pool.use((r) => plain(r), { signal })),
          timed((signal) => pool.use((r, s) => quick(r, s), { signal })),
        ];
        for (const [ms] of await Promise.all(calls)) longest = Math.max(longest, ms);
      }
      const opened = proxy.opened - before;
      proxy.setMode("pass");
      const recovery = await recover(pool);
      // Back to full service: MAX calls at once all succeed.
      const again = await Promise.all(
        Array.from({ length: MAX }, () => timed((signal) => pool.use((r, s) => quick(r, s), { signal }))),
      );
      ok(again.every(([, succeeded]) => succeeded), `the pool serves ${MAX} callers at once after the heal`);
      ok(pool.stats.borrowed === 0 && pool.stats.pending === 0, "nothing borrowed or pending");
      ok(pool.stats.size <= MAX, "the pool never exceeds max");
      return { longest, recovery, opened };
    };
  }

  const modes: [string, ProxyMode, string][] = [
    ["DF-01", "hole", "a silent network (nothing forwarded, sockets kept)"],
    ["DF-02", "drop", "connections dead for good (no FIN, no RST)"],
    ["DF-03", "drop-all", "a server that accepts connections and never answers"],
    ["DF-04", "reset", "connections reset"],
  ];
  for (const [id, mode, what] of modes) {
    suite.case(
      id,
      `${what}: every call returns by its deadline, no storm, served again after the heal, nothing left after close()`,
      () => scenario(id, mode, faultThenHeal(mode)),
    );
  }

  suite.case(
    "DF-05",
    "a connection that dies after the body: the release returns by the caller's deadline",
    () =>
      scenario("DF-05", "drop", async ({ pool, proxy }) => {
        const before = proxy.opened;
        const [longest] = await timed((signal) =>
          pool.use(async (r, s) => {
            await factories.dirty(r, s);
            proxy.setMode("drop");
            return 1;
          }, { signal })
        );
        const opened = proxy.opened - before;
        proxy.setMode("pass");
        return { longest, recovery: await recover(pool), opened };
      }),
  );

  suite.case(
    "DF-06",
    "a transaction whose commit is never answered returns by the caller's deadline",
    () =>
      scenario("DF-06", "hole", async ({ pool, proxy }) => {
        const before = proxy.opened;
        const [longest] = await timed((signal) => factories.transaction(pool, signal, () => proxy.setMode("hole")));
        const opened = proxy.opened - before;
        proxy.setMode("pass");
        return { longest, recovery: await recover(pool), opened };
      }),
  );

  suite.case(
    "DF-07",
    "close({ timeout }) with a lease out in a silent network settles within timeout + cleanupTimeout",
    () =>
      scenario("DF-07", "hole", async ({ pool, proxy }) => {
        const lease = await pool.acquire();
        const running = quick(lease.resource, lease.signal).catch(() => {});
        proxy.setMode("hole");
        await delay(20);
        // The scenario's close({ timeout }) follows; the lease is never released by its holder.
        void running;
        return { longest: 0, recovery: NaN, opened: 0 };
      }, 300),
  );

  suite.case(
    "DF-08",
    "a create the server never answers fails by the connect timeout, without any caller deadline",
    () =>
      scenario(
        "DF-08",
        "drop-all",
        async ({ pool, proxy }) => {
          proxy.setMode("drop-all");
          const before = proxy.opened;
          const start = performance.now();
          const error = await pool.use((r, s) => quick(r, s)).then(() => undefined, (e: unknown) => e);
          const longest = performance.now() - start;
          ok(error instanceof Error, "the caller gets an Error");
          const opened = proxy.opened - before;
          proxy.setMode("pass");
          // The bound here is the connect timeout (1000 ms): the pool holds no connection yet.
          ok(longest <= 1000 + SLACK, `DF-08: the call without a deadline waited ${Math.round(longest)} ms`);
          return { longest: 0, recovery: await recover(pool), opened };
        },
        2000,
        false,
      ),
  );

  return suite.count;
}
