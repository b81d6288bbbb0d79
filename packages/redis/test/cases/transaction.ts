// WATCH/MULTI transactions on a dedicated connection.
import { WatchError } from "redis";
import { connectRedis, transaction } from "../../src/mod.ts";
import { deepEqual, equal, ok, rejects } from "../assert.ts";
import type { RedisSuite } from "../harness.ts";
import { URL, withAdmin } from "../support.ts";

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
      }),
  );
}
