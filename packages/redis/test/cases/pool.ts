// createRedisPool: cancellation, recovery from CLIENT KILL, reset on release,
// transactions and a semaphore-limited pool, within one process.
import { createPool, TimeoutError } from "@corral/core";
import { clusterLimit, createRedisPool, createSemaphore, type RedisConnection, transaction } from "../../src/mod.ts";
import { deepEqual, equal, ok, rejects, throws } from "../assert.ts";
import type { RedisSuite } from "../harness.ts";
import { clientInfo, eventually, freezableProxy, URL, withAdmin } from "../support.ts";

export function poolCases(s: RedisSuite): void {
  s.case(
    "RP-08",
    "destroying a connection on a server that stopped answering is bounded and closes its socket",
    async () => {
      await using proxy = await freezableProxy();
      const pool = createRedisPool({ url: proxy.url, max: 1, cleanupTimeout: 200 });
      let conn: RedisConnection | undefined;
      await pool.use(async (c) => {
        conn = c;
        equal(await c.client.ping(), "PONG");
        proxy.freeze(); // the release's reset is never answered: the connection is destroyed, politely first
      });
      await pool.close();
      equal(pool.stats.size, 0);
      ok(conn?.broken, "the connection was destroyed");
      ok(await eventually(() => proxy.sockets === 0, 5000), "its socket is closed once the destroy's grace passed");
    },
  );

  s.case("RP-01", "createRedisPool checks its options at construction, naming them", () => {
    throws(() => createRedisPool({ url: "localhost:6379" }), TypeError, /'url'/);
    throws(() => createRedisPool({ min: 3, max: 2 }), RangeError, /'min'/);
    throws(() => createRedisPool({ database: 1.5 }), RangeError, /'database'/);
    throws(() => createRedisPool({ cancel: "abort" as "destroy" }), TypeError, /'cancel'/);
    throws(() => createRedisPool({ maxConnections: 3 } as never), TypeError, /'maxConnections'/);
    return Promise.resolve();
  });

  for (const cancel of ["destroy", "unblock"] as const) {
    s.case(
      cancel === "destroy" ? "RP-02" : "RP-03",
      `a cancelled BLPOP frees its slot and its connection is never lent mid-command (${cancel})`,
      () =>
        withAdmin(async (admin, keys) => {
          await using pool = createRedisPool({ url: URL, max: 1, cancel });
          const controller = new AbortController();
          let first: RedisConnection | undefined;
          const popping = pool.use((conn, signal) => {
            first = conn;
            return conn.blpop(`${keys}q`, { signal });
          }, { signal: controller.signal });
          ok(await eventually(async () => first !== undefined && (await clientInfo(admin, first.id))?.cmd === "blpop"));
          const reason = new Error("cancelled");
          controller.abort(reason);
          equal(await rejects(popping), reason);
          equal(pool.stats.borrowed, 0, "the slot is free");
          // The next borrower gets a connection that is not running any command.
          const next = await pool.use(async (conn) => {
            const info = await clientInfo(admin, conn.id);
            ok(info !== undefined && !info.flags?.includes("b"), `lent while blocked: ${JSON.stringify(info)}`);
            return conn;
          });
          if (cancel === "destroy") {
            ok(next !== first, "a destroyed connection is replaced");
            equal(await clientInfo(admin, first!.id), undefined, "and gone from the server");
          } else {
            equal(next, first, "an unblocked connection is reused");
          }
          await admin.rPush(`${keys}q`, "job");
          equal(await admin.lLen(`${keys}q`), 1, "nobody is still popping");
        }),
    );
  }

  s.case(
    "RP-04",
    "connections killed by CLIENT KILL, borrowed or idle, are replaced",
    () =>
      withAdmin(async (admin) => {
        await using pool = createRedisPool({ url: URL, min: 2, max: 3 });
        await pool.ready();
        const kill = (id: number) => admin.sendCommand(["CLIENT", "KILL", "ID", String(id)]);
        const error = await rejects(pool.use(async (conn) => {
          await kill(conn.id);
          return await conn.call((c) => c.ping());
        }));
        ok(error instanceof Error && !(error instanceof TimeoutError), `a connection error: ${error}`);
        const idle: RedisConnection[] = [];
        {
          await using a = await pool.acquire();
          await using b = await pool.acquire();
          idle.push(a.resource, b.resource);
        }
        const ids = idle.map((conn) => conn.id);
        await Promise.all(ids.map(kill));
        // Detection is by the socket's close event, without a round trip.
        ok(await eventually(() => idle.every((conn) => conn.broken)), "idle connections notice the kill");
        for (let i = 0; i < 4; i++) equal(await pool.use((conn) => conn.call((c) => c.ping())), "PONG");
        ok(await eventually(() => pool.stats.idle >= 2), "min is restored");
        await pool.use((conn) => ok(!ids.includes(conn.id), "a killed connection is never lent"));
        ok(pool.stats.destroyed >= 3, `destroyed ${pool.stats.destroyed}`);
      }),
  );

  s.case(
    "RP-05",
    "release resets the session: database, WATCH; subscriber or MULTI sessions are destroyed",
    () =>
      withAdmin(async (admin, keys) => {
        await using pool = createRedisPool({ url: URL, max: 1 });
        const first = await pool.use(async (conn) => {
          await conn.client.select(3);
          await conn.client.watch(`${keys}w`);
          return conn;
        });
        await pool.use(async (conn) => {
          equal(conn, first, "reused");
          equal((await clientInfo(admin, conn.id))?.db, "0", "back on the pool's database");
          await admin.set(`${keys}w`, "changed");
          deepEqual(await conn.client.multi().set(`${keys}w`, "mine").exec(), ["OK"], "no key watched");
        });
        await pool.use((conn) => conn.client.sendCommand(["MULTI"]));
        const second = await pool.use((conn) => conn);
        ok(second !== first, "a session left inside MULTI is destroyed");
        await pool.use((conn) => conn.client.subscribe(`${keys}ch`, () => {}));
        ok((await pool.use((conn) => conn)) !== second, "a subscriber session is destroyed");
      }),
  );

  s.case(
    "RP-06",
    "a Redis error reply in use() keeps the connection; transaction(pool) commits",
    () =>
      withAdmin(async (admin, keys) => {
        await using pool = createRedisPool({ url: URL, max: 1 });
        await admin.set(`${keys}s`, "string");
        const before = pool.stats.destroyed;
        await rejects(pool.use((conn) => conn.client.lPush(`${keys}s`, "x")), Error, /WRONGTYPE/);
        equal(pool.stats.destroyed, before, "not destroyed for an error reply");
        await admin.set(`${keys}n`, "1");
        const result = await transaction(pool, async (client) => {
          const n = Number(await client.get(`${keys}n`));
          return client.multi().set(`${keys}n`, String(n * 2));
        }, { watch: `${keys}n` });
        deepEqual(result, ["OK"]);
        equal(await admin.get(`${keys}n`), "2");
      }),
  );

  s.case(
    "RP-07",
    "pools sharing a semaphore never hold more connections together than its limit",
    () =>
      withAdmin(async (_admin, keys) => {
        await using sem = createSemaphore({ name: "conns", prefix: keys, limit: 3, url: URL });
        await using a = createRedisPool({ url: URL, max: 2, semaphore: sem, acquireTimeout: 10_000 });
        await using b = createRedisPool({ url: URL, max: 2, semaphore: sem, acquireTimeout: 10_000 });
        const la1 = await a.acquire();
        const la2 = await a.acquire();
        const lb1 = await b.acquire();
        equal(await sem.count(), 3);
        const waiting = b.acquire({ timeout: 100 });
        await rejects(waiting, TimeoutError);
        ok(await eventually(() => b.stats.size === 1), "the fourth connection was never opened");
        const later = b.acquire();
        await la2.destroy();
        const lb2 = await later;
        equal(await sem.count(), 3);
        for (const lease of [la1, lb1, lb2]) await lease.release();
      }),
  );

  s.case(
    "CL-01",
    "clusterLimit gives the permit back when create fails and replaces resources whose permit was lost",
    () =>
      withAdmin(async (admin, keys) => {
        await using sem = createSemaphore({ name: "cl", prefix: keys, limit: 2, ttl: 300, url: URL });
        let fail = true;
        let made = 0;
        await using pool = createPool({
          max: 2,
          validateAfterIdle: 0,
          ...clusterLimit(sem, {
            create: () => {
              if (fail) throw new Error("create failed");
              return { n: ++made };
            },
          }),
        });
        await rejects(pool.use(() => {}), Error, /create failed/);
        equal(await sem.count(), 0, "the failed create's permit was released");
        fail = false;
        const first = await pool.use((r) => r);
        equal(sem.held, 1, "the idle resource keeps its permit");
        await admin.del(sem.key); // every lease gone: the permit will be lost at its next renewal
        ok(await eventually(() => sem.held === 0), "the permit is lost");
        const second = await pool.use((r) => r);
        ok(second !== first, "a resource without a permit is replaced");
        equal(await sem.count(), 1);
        throws(() => clusterLimit(sem, {} as never), TypeError, /'create'/);
      }),
  );

  s.case(
    "CL-02",
    "clusterLimit: a resource whose permit was lost is never lent again, without waiting for validation",
    () =>
      withAdmin(async (admin, keys) => {
        await using sem = createSemaphore({ name: "cl2", prefix: keys, limit: 2, ttl: 300, url: URL });
        let made = 0;
        // validate would run only after a minute idle: the lost permit must be seen before every lend.
        await using pool = createPool({
          max: 2,
          validateAfterIdle: 60_000,
          ...clusterLimit(sem, { create: () => ({ n: ++made }) }),
        });
        const first = await pool.use((r) => r);
        await admin.del(sem.key);
        ok(await eventually(() => sem.held === 0), "the permit is lost");
        const second = await pool.use((r) => r);
        ok(second !== first, "the resource without a permit was not lent");
        equal(pool.stats.destroyed, 1, "it was destroyed");
      }),
  );

  s.case("RP-09", "pingAfterIdle is the pool's validateAfterIdle: either name sets it, both must agree", async () => {
    throws(
      () => createRedisPool({ pingAfterIdle: 100, validateAfterIdle: 200 }),
      TypeError,
      /'pingAfterIdle' and 'validateAfterIdle'.*: received 100 and 200$/,
    );
    for (
      const options of [{ pingAfterIdle: 0 }, { validateAfterIdle: 0 }, { pingAfterIdle: 0, validateAfterIdle: 0 }]
    ) {
      await using pool = createRedisPool({ url: URL, max: 1, ...options });
      const first = await pool.use((conn) => conn);
      let pings = 0;
      const client = first.client as unknown as { ping: (...args: unknown[]) => Promise<unknown> };
      const ping = client.ping.bind(client);
      client.ping = (...args) => {
        pings++;
        return ping(...args);
      };
      await pool.use((conn) => equal(conn, first, "the same connection"));
      equal(pings, 1, `pinged before it was lent again (${JSON.stringify(options)})`);
    }
  });
}
