// Connections broken under the pool: pg_terminate_backend on borrowed and
// on idle connections.

import { connect, ConnectionLostError, pidOf } from "../../src/mod.ts";
import { adminConnection, eventually, faultFactories, makePool, terminate, url } from "../support.ts";
import type { PgSuite } from "../case-types.ts";
import { equal, ok, rejects } from "../assert.ts";

export function recoveryCases({ add }: PgSuite): void {
  add("PG-20", "pg_terminate_backend on a borrowed connection: a clear error, the connection replaced", async () => {
    await using pool = await makePool({ max: 2 });
    let killed = 0;
    const error = await rejects(pool.use(async (sql) => {
      killed = pidOf(sql);
      await terminate(killed);
      await sql`select 1`;
    }));
    ok(error instanceof ConnectionLostError, `ConnectionLostError, got ${String(error)}`);
    ok(String((error as Error).message).includes(String(killed)), "the message names the server pid");
    equal(pool.stats.borrowed, 0, "borrowed");
    const pids = new Set<number>();
    await Promise.all(
      Array.from({ length: 6 }, () =>
        pool.use(async (sql) => {
          pids.add(pidOf(sql));
          await sql`select pg_sleep(0.05)`;
        })),
    );
    ok(!pids.has(killed), "the killed connection is never handed out again");
    ok(pool.stats.destroyed >= 1, "it was destroyed");
  });

  add("PG-21", "a query in flight when its connection is killed rejects with ConnectionLostError", async () => {
    await using pool = await makePool({ max: 1 });
    const admin = (await adminConnection()).sql;
    const error = await rejects(pool.use(async (sql) => {
      const pid = pidOf(sql);
      const slow = sql`select pg_sleep(30)`;
      const swallow = slow.then(() => {}, () => {});
      await new Promise((resolve) => setTimeout(resolve, 100));
      await admin`select pg_terminate_backend(${pid})`;
      await swallow;
      return await slow;
    }));
    ok(error instanceof ConnectionLostError, `ConnectionLostError, got ${String(error)}`);
    const [row] = await pool.use((sql) => sql<{ one: number }[]>`select 1 as one`);
    equal(row?.one, 1, "the pool keeps serving");
  });

  add("PG-22", "pg_terminate_backend on every idle connection: the pool replaces them and keeps serving", async () => {
    await using pool = await makePool({ max: 4, min: 4 });
    await pool.ready();
    const leases = await Promise.all([1, 2, 3, 4].map(() => pool.acquire()));
    const before = leases.map((lease) => pidOf(lease.resource));
    for (const lease of leases) await lease.release();
    for (const pid of before) await terminate(pid);
    // A connection killed while idle is noticed when its socket reports the
    // close. A borrower who takes it in the instant before that gets a clear
    // ConnectionLostError (never a silent reconnect); later ones are served.
    const after = new Set<number>();
    for (let round = 0; round < 3; round++) {
      const results = await Promise.allSettled(
        [1, 2, 3, 4].map(() =>
          pool.use(async (sql) => {
            const [row] = await sql<{ one: number }[]>`select 1 as one`;
            after.add(pidOf(sql));
            equal(row?.one, 1);
          })
        ),
      );
      for (const result of results) {
        if (result.status === "fulfilled") continue;
        ok(round === 0, `round ${round} is served: ${String(result.reason)}`);
        ok(result.reason instanceof ConnectionLostError, `a clear error: ${String(result.reason)}`);
      }
    }
    for (const pid of before) ok(!after.has(pid), `the killed connection ${pid} never answers a query`);
    ok(pool.stats.destroyed >= 4, `the four killed connections were destroyed (${pool.stats.destroyed})`);
  });

  add(
    "PG-83",
    "a connect abandoned while the driver fetches the server's types: the caller gets the reason, no rejection is left unhandled",
    async () => {
      // postgres 3 fetches the server's array types right after the startup
      // (postgres 4 has no such fetch: the case checks the same outcome). A
      // signal that aborts just after the startup's parameters arrive lands
      // in that fetch; terminating the connection then rejects a promise
      // the driver holds nobody for.
      for (let i = 0; i < 5; i++) {
        const controller = new AbortController();
        const reason = new Error("the caller gave up");
        let seen = false;
        const onparameter = () => {
          if (seen) return;
          seen = true;
          controller.abort(reason);
        };
        const error = await rejects(connect({ url: url(), signal: controller.signal, postgres: { onparameter } }));
        ok(error === reason, `the caller gets the signal's reason, got ${String(error)}`);
      }
      // An unhandled rejection surfaces a turn or two later: inside this case.
      await new Promise((resolve) => setTimeout(resolve, 100));
    },
  );

  add(
    "PG-84",
    "the fault proxy answers a client's FIN only where the network works: held or dead, it stays unanswered",
    async () => {
      const net = await import("node:net");
      await using proxy = await faultFactories.openProxy();
      /** A raw client that sends a cancel request (postgres 4's way: the packet, then a FIN); resolves when it closed. */
      const halfClose = async () => {
        const socket = net.connect(proxy.port, "127.0.0.1");
        const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
        socket.on("error", () => {});
        await new Promise<void>((resolve) => socket.on("connect", () => resolve()));
        const packet = new Uint8Array(16);
        new DataView(packet.buffer).setInt32(0, 16);
        new DataView(packet.buffer).setInt32(4, 80877102); // CancelRequest, for no backend: the server just closes
        socket.end(packet);
        let done = false;
        void closed.then(() => (done = true));
        return { socket, closed, done: () => done };
      };
      // pass: the FIN goes on, the server closes, the close comes back.
      const live = await halfClose();
      equal(await Promise.race([live.closed.then(() => "closed"), delay(5000, "open")]), "closed", "pass: answered");
      for (const mode of ["hole", "drop-all"] as const) {
        proxy.setMode(mode);
        const held = await halfClose();
        await delay(300);
        ok(!held.done(), `${mode}: the FIN was answered by the proxy`);
        ok(await eventually(() => Promise.resolve(proxy.clients === 0), 2000), `${mode}: a FIN counts as closed`);
        proxy.setMode("pass");
        if (mode === "hole") {
          equal(await Promise.race([held.closed.then(() => "closed"), delay(5000, "open")]), "closed", "healed");
        } else {
          await delay(100);
          ok(!held.done(), "a dead connection stays unanswered after the heal");
          held.socket.destroy();
          await held.closed;
        }
      }
      equal(proxy.sockets, 0, "nothing left at the proxy");
    },
  );
}

function delay<T>(ms: number, value?: T): Promise<T | undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms));
}
