// The corral:redis:blocking tracing channel: a subscriber sees each blocking
// command's start/end and asyncStart/asyncEnd (error first when it fails or
// is cancelled), with the command, its keys and its timeout.
import { tracingChannel } from "node:diagnostics_channel";
import { connectRedis } from "../../src/mod.ts";
import { deepEqual, equal } from "../assert.ts";
import type { RedisSuite } from "../harness.ts";
import { URL, withAdmin } from "../support.ts";

type Seen = [string, Record<string, unknown>][];

async function watch(fn: () => Promise<void>): Promise<Seen> {
  const seen: Seen = [];
  const on = (event: string) => (message: unknown) => seen.push([event, { ...(message as Record<string, unknown>) }]);
  const handlers = {
    start: on("start"),
    end: on("end"),
    asyncStart: on("asyncStart"),
    asyncEnd: on("asyncEnd"),
    error: on("error"),
  };
  const ch = tracingChannel("corral:redis:blocking");
  ch.subscribe(handlers);
  try {
    await fn();
  } finally {
    ch.unsubscribe(handlers);
  }
  return seen;
}

const events = (seen: Seen) => seen.map(([event]) => event);
const last = (seen: Seen) => seen[seen.length - 1]![1];
const OK = ["start", "end", "asyncStart", "asyncEnd"];
const FAILED = ["start", "end", "error", "asyncStart", "asyncEnd"];

export function tracingCases(s: RedisSuite): void {
  s.case(
    "TR-01",
    "blocking channel: an answer, a timeout, a failure and a cancelled command",
    () =>
      withAdmin(async (admin, keys) => {
        await using conn = await connectRedis({ url: URL });
        await admin.rPush(`${keys}q`, "job");
        let seen = await watch(async () => void await conn.blmove(`${keys}q`, `${keys}p`, { timeout: 1_000 }));
        deepEqual(events(seen), OK);
        deepEqual(last(seen), {
          command: "BLMOVE",
          keys: [`${keys}q`, `${keys}p`],
          timeout: 1_000,
          result: "job",
        });
        seen = await watch(async () => void await conn.blpop(`${keys}empty`, { timeout: 10 }));
        deepEqual(events(seen), OK);
        equal(last(seen).result, null, "a timed-out wait answers null");
        await admin.set(`${keys}string`, "not a list");
        seen = await watch(() => conn.brpop(`${keys}string`, { timeout: 10 }).then(() => {}, () => {}));
        deepEqual(events(seen), FAILED);
        equal(String(last(seen).error).includes("WRONGTYPE"), true);
        const reason = new Error("stop");
        seen = await watch(async () => {
          const controller = new AbortController();
          const waiting = conn.blpop(`${keys}empty`, { signal: controller.signal }).catch(() => {});
          setTimeout(() => controller.abort(reason), 10);
          await waiting;
        });
        deepEqual(events(seen), FAILED);
        equal(last(seen).error, reason);
        equal(last(seen).timeout, Infinity);
      }),
  );
}
