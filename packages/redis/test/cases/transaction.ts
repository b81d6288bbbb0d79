// WATCH/MULTI transactions on a dedicated connection.
import { WatchError } from "redis";
import { connectRedis, transaction } from "../../src/mod.ts";
import { deepEqual, equal, ok, rejects } from "../assert.ts";
import { abortable, moveOnAfter } from "@corral/core";
import type { RedisSuite } from "../harness.ts";
import { freezableProxy, URL, withAdmin } from "../support.ts";

export function transactionCases(s: RedisSuite): void {
  s.case(
    "TX-01",
    "transaction starts over when a watched key changes, then commits",
    () =>
      withAdmin(async (admin, keys) => {
        await using conn = await connectRedis({ url: URL });
        const key = `${keys}n`;
        await admin.set(key, "0");
        let attempts = 0;
        const result = await transaction(conn, async (client) => {
          const n = Number(await client.get(key));
          // A concurrent writer changes the key during the first attempt only.
          if (++attempts === 1) await admin.set(key, "10");
          return client.multi().set(key, String(n + 1));
        }, { watch: key });
        equal(attempts, 2);
        deepEqual(result, ["OK"]);
        equal(await admin.get(key), "11");
      }),
  );

  s.case(
    "TX-02",
    "the body's error propagates unchanged and the keys are unwatched",
    () =>
      withAdmin(async (admin, keys) => {
        await using conn = await connectRedis({ url: URL });
        const boom = new Error("boom");
        equal(await rejects(transaction(conn, () => Promise.reject(boom), { watch: `${keys}k` })), boom);
        // Were the key still watched, this EXEC would fail after the change.
        await admin.set(`${keys}k`, "changed");
        deepEqual(await conn.client.multi().set(`${keys}k`, "after").exec(), ["OK"], "unwatched");
        equal(await transaction(conn, () => undefined, { watch: `${keys}k` }), undefined, "giving up writes nothing");
      }),
  );

  s.case(
    "TX-03",
    "retries run out with WatchError; a cancelled transaction stops before EXEC",
    () =>
      withAdmin(async (admin, keys) => {
        await using conn = await connectRedis({ url: URL });
        const key = `${keys}k`;
        await rejects(
          transaction(conn, async (client) => {
            await admin.incr(key);
            return client.multi().set(key, "mine");
          }, { watch: key, retries: 2 }),
          WatchError,
        );
        ok(Number(await admin.get(key)) === 3, "three attempts");
        const controller = new AbortController();
        const reason = new Error("cancelled");
        const run = transaction(conn, (client) => {
          controller.abort(reason);
          return client.multi().set(key, "never");
        }, { watch: key, signal: controller.signal });
        equal(await rejects(run), reason);
        equal(await admin.get(key), "3");
        await rejects(transaction(conn, () => undefined, { retries: -1 }), RangeError, /'retries'/);
        await rejects(transaction(conn, () => undefined, { grace: -1 }), RangeError, /'grace'.*: received -1$/);
        await rejects(transaction(conn, () => undefined, { grace: 2 ** 31 }), RangeError, /'grace'/);
      }),
  );

  s.case(
    "TX-04",
    "the UNWATCH after a failed or cancelled body is bounded when the server stops answering",
    () =>
      withAdmin(async (_admin, keys) => {
        for (const how of ["failed", "cancelled"] as const) {
          await using proxy = await freezableProxy();
          const conn = await connectRedis({ url: proxy.url });
          const controller = new AbortController();
          const boom = new Error("boom");
          let frozen = () => {};
          const reached = new Promise<void>((resolve) => frozen = resolve);
          const run = transaction(conn, async (client) => {
            await client.get(`${keys}k`);
            frozen();
            // Waits until the test freezes the server, then fails or is cancelled.
            await new Promise((resolve) => setTimeout(resolve, 50));
            if (how === "failed") throw boom;
            controller.abort(boom);
            return client.multi().set(`${keys}k`, "never");
          }, { watch: `${keys}k`, signal: controller.signal, grace: 200 });
          const ended = run.then(() => "resolved", (error) => error);
          await reached;
          proxy.freeze();
          const outcome = await moveOnAfter(10_000, (signal) => abortable(ended, { signal }));
          equal(outcome, boom, `${how}: the body's error (or the reason), once the bounded UNWATCH gave up`);
          equal(conn.broken, true, `${how}: a connection that may still watch the keys is destroyed`);
          conn.destroy();
        }
      }),
  );
}
