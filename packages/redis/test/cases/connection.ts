// Dedicated connections: blocking commands, cancellation, server-side kills.
import * as redis from "redis";
import { abortReasonOf } from "@corral/core";
import { connectRedis, createRedisPool, createSemaphore, type RedisConnection } from "../../src/mod.ts";
import { deepEqual, equal, ok, rejects, throws } from "../assert.ts";
import type { RedisSuite } from "../harness.ts";
import { clientInfo, eventually, URL, withAdmin } from "../support.ts";
import { startWorker } from "../processes.ts";
import { redisVersion } from "../redis-version.ts";

/** An environment variable, or undefined (also where the environment cannot be read). */
function env(name: string): string | undefined {
  try {
    return (globalThis as { process?: { env?: Record<string, string> } }).process?.env?.[name] || undefined;
  } catch {
    return undefined;
  }
}

/** True once the server no longer shows `id` blocked in a command (or the connection is gone). */
async function notBlocked(admin: Parameters<typeof clientInfo>[0], id: number): Promise<boolean> {
  const info = await clientInfo(admin, id);
  return info === undefined || !info.flags?.includes("b");
}

async function blockedIn(admin: Parameters<typeof clientInfo>[0], id: number, cmd: string): Promise<boolean> {
  const info = await clientInfo(admin, id);
  return info !== undefined && info.flags?.includes("b") === true && info.cmd === cmd;
}

export function connectionCases(s: RedisSuite): void {
  s.case(
    "RC-00",
    "the suite and its child processes run on the redis version the leg names ($CORRAL_REDIS_VERSION), else 6.3 or 6.4",
    async () => {
      const version = redisVersion(redis);
      const expected = env("CORRAL_REDIS_VERSION");
      if (expected) equal(version, expected, "the redis package in this process");
      else ok(version === "6.3" || version === "6.4", `a supported version: ${version}`);
      const child = startWorker(await s.worker(["version"]));
      equal(await child.line("redis "), `redis ${version}`, "the redis package in a child process");
      await child.exited;
    },
  );

  s.case(
    "RC-01",
    "connectRedis opens one dedicated connection the server can name",
    () =>
      withAdmin(async (admin, keys) => {
        const conn = await connectRedis({ url: URL, name: "corral-rc01" });
        try {
          equal(conn.broken, false);
          const info = await clientInfo(admin, conn.id);
          equal(info?.name, "corral-rc01", "CLIENT SETNAME");
          await conn.client.set(`${keys}a`, "1");
          equal(await admin.get(`${keys}a`), "1");
        } finally {
          await conn.close();
        }
        equal(conn.broken, true, "closed connections are broken");
        ok(await eventually(async () => (await clientInfo(admin, conn.id)) === undefined), "server saw the close");
      }),
  );

  s.case(
    "RC-02",
    "blpop, blmove, brpoplpush and xread return data and null on timeout",
    () =>
      withAdmin(async (admin, keys) => {
        await using conn = await connectRedis({ url: URL });
        equal(await conn.blpop(`${keys}empty`, { timeout: 20 }), null, "timeout");
        const waiting = conn.blpop([`${keys}q1`, `${keys}q2`]);
        equal(conn.busy, true, "busy while a call waits");
        ok(await eventually(() => blockedIn(admin, conn.id, "blpop")), "blocked on the server");
        await admin.rPush(`${keys}q2`, "job");
        deepEqual(await waiting, { key: `${keys}q2`, element: "job" });
        equal(conn.busy, false, "idle once it answered");
        await admin.rPush(`${keys}src`, ["a", "b"]);
        equal(await conn.blmove(`${keys}src`, `${keys}dst`, { from: "RIGHT", to: "LEFT" }), "b");
        equal(await conn.brpoplpush(`${keys}src`, `${keys}dst`), "a");
        deepEqual(await admin.lRange(`${keys}dst`, 0, -1), ["a", "b"]);
        equal(await conn.brpop(`${keys}src`, { timeout: 0 }), null, "timeout 0 takes what is there");
        const id = await admin.xAdd(`${keys}s`, "*", { f: "v" });
        const read = await conn.xread({ key: `${keys}s`, id: "0" }, { timeout: 100, count: 10 });
        equal(read?.[0]?.messages[0]?.id, id);
        equal(read?.[0]?.messages[0]?.message.f, "v");
        equal(await conn.xread({ key: `${keys}s`, id: "$" }, { timeout: 20 }), null);
      }),
  );

  s.case(
    "RC-03",
    "a cancelled BLPOP destroys its connection: nothing stays blocked on the server",
    () =>
      withAdmin(async (admin, keys) => {
        const conn = await connectRedis({ url: URL });
        const controller = new AbortController();
        const popping = conn.blpop(`${keys}q`, { signal: controller.signal });
        ok(await eventually(() => blockedIn(admin, conn.id, "blpop")));
        const reason = new Error("stop");
        controller.abort(reason);
        equal(await rejects(popping), reason, "rejects with the signal's reason");
        equal(conn.broken, true, "destroyed, never reused");
        ok(await eventually(() => notBlocked(admin, conn.id)), "server no longer blocks it");
        await admin.rPush(`${keys}q`, "kept");
        equal(await admin.lLen(`${keys}q`), 1, "the cancelled pop consumed nothing");
        await rejects(conn.client.ping(), Error);
      }),
  );

  s.case(
    "RC-04",
    "in unblock mode a cancelled BLPOP leaves the same connection idle and usable",
    () =>
      withAdmin(async (admin, keys) => {
        await using conn = await connectRedis({ url: URL, cancel: "unblock" });
        const controller = new AbortController();
        const popping = conn.blpop(`${keys}q`, { signal: controller.signal });
        ok(await eventually(() => blockedIn(admin, conn.id, "blpop")));
        controller.abort(new Error("stop"));
        await rejects(popping, Error, /stop/);
        equal(conn.broken, false, "kept");
        equal(conn.busy, false, "no command in flight once the call settled");
        ok(await notBlocked(admin, conn.id), "unblocked before the call settled");
        equal(await conn.client.ping(), "PONG");
        await admin.rPush(`${keys}q`, "x");
        deepEqual(await conn.blpop(`${keys}q`, { timeout: 1000 }), { key: `${keys}q`, element: "x" });
      }),
  );

  s.case(
    "RC-05",
    "unblock mode ends a cancel that races the command onto the wire",
    () =>
      withAdmin(async (admin, keys) => {
        await using conn = await connectRedis({ url: URL, cancel: "unblock" });
        for (let i = 0; i < 20; i++) {
          const controller = new AbortController();
          const reading = conn.xread({ key: `${keys}s`, id: "$" }, { signal: controller.signal });
          // Abort in the same turn, before or while the command is written.
          if (i % 2) await Promise.resolve();
          controller.abort(new Error(`stop ${i}`));
          await rejects(reading, Error, /stop/);
          equal(conn.broken, false, `round ${i}: kept`);
          ok(await notBlocked(admin, conn.id), `round ${i}: not left blocked`);
        }
        equal(await conn.client.ping(), "PONG");
      }),
  );

  s.case(
    "RC-06",
    "CLIENT KILL marks a connection broken; a blocked call rejects with a connection error",
    () =>
      withAdmin(async (admin, keys) => {
        const idle: RedisConnection = await connectRedis({ url: URL });
        const busy: RedisConnection = await connectRedis({ url: URL });
        // Handle the rejection from the start: it may come before we look.
        const popping = rejects(busy.blpop(`${keys}q`), Error);
        ok(await eventually(() => blockedIn(admin, busy.id, "blpop")));
        await admin.sendCommand(["CLIENT", "KILL", "ID", String(idle.id)]);
        await admin.sendCommand(["CLIENT", "KILL", "ID", String(busy.id)]);
        const error = await popping;
        ok(!/stop/.test(String(error)));
        ok(await eventually(() => idle.broken && busy.broken), "both noticed");
        ok(busy.error !== undefined, "the socket error is kept");
        await rejects(idle.call((c) => c.ping()), Error, /closed/);
        await idle.close();
        await busy.close();
      }),
  );

  s.case("RC-07", "a call with an already-aborted signal sends nothing", async () => {
    await using conn = await connectRedis({ url: URL });
    const reason = new Error("early");
    equal(await rejects(conn.blpop("never", { signal: AbortSignal.abort(reason) })), reason);
    equal(conn.broken, false);
    equal(await conn.client.ping(), "PONG");
  });

  s.case(
    "RC-11",
    "a signal that aborted without a reason rejects every call with one reason, by identity",
    async () => {
      // A polyfilled or signal-shaped AbortSignal may abort with `reason`
      // unset: the driver rejects with core's abortReasonOf(signal), the one
      // AbortError made for that signal, so callers and scopes can compare it.
      const signal = Object.assign(new EventTarget(), { aborted: true, reason: undefined }) as unknown as AbortSignal;
      const reason = abortReasonOf(signal);
      ok(reason instanceof Error && reason.name === "AbortError");
      equal(await rejects(connectRedis({ url: URL, signal })), reason, "connect");
      await using conn = await connectRedis({ url: URL });
      equal(await rejects(conn.blpop("never", { signal })), reason, "a call");
      equal(await rejects(conn.blpop("never", { signal })), reason, "the same reason again");
      equal(conn.broken, false);
    },
  );

  s.case("RC-08", "bad options throw TypeError/RangeError naming the option", async () => {
    await rejects(connectRedis({ url: "http://x" }), TypeError, /'url'/);
    await rejects(connectRedis({ database: -1 }), RangeError, /'database'/);
    await rejects(connectRedis({ cancel: "later" as "destroy" }), TypeError, /'cancel'/);
    await rejects(connectRedis({ connectTimeout: Number.NaN }), RangeError, /'connectTimeout'/);
    await using conn = await connectRedis({ url: URL });
    await rejects(conn.blpop("k", { timeout: "1" as unknown as number }), TypeError, /'timeout'/);
    await rejects(conn.blmove("a", "b", { from: "UP" as "LEFT" }), TypeError, /'from'/);
  });

  s.case(
    "RC-10",
    "negative and absurd numbers throw RangeError naming the option and the value, at the call",
    async () => {
      await using conn = await connectRedis({ url: URL });
      const key = "corral-rc10-never";
      await rejects(conn.blpop(key, { timeout: -1 }), RangeError, /'timeout'.*: received -1$/);
      await rejects(conn.brpop(key, { timeout: -0.5 }), RangeError, /'timeout'.*: received -0.5$/);
      await rejects(conn.blmove(key, `${key}2`, { timeout: -10 }), RangeError, /'timeout'.*: received -10$/);
      await rejects(conn.brpoplpush(key, `${key}2`, { timeout: -Infinity }), RangeError, /'timeout'.*-Infinity$/);
      await rejects(conn.xread({ key, id: "$" }, { timeout: -1 }), RangeError, /'timeout'.*: received -1$/);
      await rejects(conn.blpop(key, { timeout: Number.NaN }), RangeError, /'timeout'.*: received NaN$/);
      await rejects(conn.blpop(key, { timeout: 1e300 }), RangeError, /'timeout'.*: received 1e\+300$/);
      await rejects(conn.xread({ key, id: "$" }, { count: 0 }), RangeError, /'count'.*: received 0$/);
      await rejects(conn.xread({ key, id: "$" }, { count: 1.5 }), RangeError, /'count'.*: received 1.5$/);
      await rejects(conn.xread({ key, id: "$" }, { count: "2" as unknown as number }), TypeError, /'count'/);
      equal(conn.busy, false, "nothing was sent");
      equal(await conn.client.ping(), "PONG");
      await rejects(connectRedis({ url: URL, connectTimeout: -1 }), RangeError, /'connectTimeout'.*: received -1$/);
      await rejects(connectRedis({ url: URL, connectTimeout: 2 ** 31 }), RangeError, /'connectTimeout'.*2147483648$/);
      throws(() => createRedisPool({ connectTimeout: 2 ** 31 }), RangeError, /'connectTimeout'.*2147483648$/);
      throws(() => createRedisPool({ pingAfterIdle: -1 }), RangeError, /'pingAfterIdle'.*: received -1$/);
      throws(() => createSemaphore({ name: "x", limit: 1, connectTimeout: 2 ** 31 }), RangeError, /'connectTimeout'/);
      throws(() => createSemaphore({ name: "x", limit: 1, ttl: -5 }), RangeError, /'ttl'.*: received -5$/);
      throws(
        () => createSemaphore({ name: "x", limit: 1, ttl: 2 ** 33, renewInterval: 2 ** 31 }),
        RangeError,
        /'renewInterval'.*2147483648$/,
      );
      // A long ttl alone is fine: its default renewal interval stays within a host timer's range.
      await createSemaphore({ name: "x", limit: 1, ttl: 2 ** 33 }).close();
      await using sem = createSemaphore({ name: "corral-rc10", limit: 1, url: URL });
      await rejects(sem.acquire({ timeout: -5 }), RangeError, /'timeout'.*: received -5$/);
      await rejects(sem.acquire({ timeout: Number.NaN }), RangeError, /'timeout'.*: received NaN$/);
    },
  );

  s.case("RC-09", "an aborted connect rejects with the signal's reason and leaves no socket", async () => {
    const reason = new Error("no");
    equal(await rejects(connectRedis({ url: URL, signal: AbortSignal.abort(reason) })), reason);
    const controller = new AbortController();
    const connecting = connectRedis({ url: URL, signal: controller.signal });
    controller.abort(reason);
    equal(await rejects(connecting), reason);
  });
}
