// The tracing channels (the core publishes, the adapter the entry imported
// installed diagnostics_channel): each seen by a subscriber with its
// documented context for a success, a failure and a cancellation.
import assert from "node:assert/strict";
import { tracingChannel } from "node:diagnostics_channel";
import { createPool, sleep, taskGroup, TimeoutError, TRACING_CHANNELS } from "@corral/core";
import { type Span, SpanStatusCode } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { Case } from "./harness.ts";

type Seen = [event: string, context: Record<string, unknown>][];

/** Subscribes to `name` while `fn` runs; returns what it saw (a snapshot of the context at each event). */
async function watch(name: string, fn: () => Promise<void>): Promise<Seen> {
  const seen: Seen = [];
  const ch = tracingChannel(name);
  const on = (event: string) => (message: unknown) => seen.push([event, { ...(message as Record<string, unknown>) }]);
  const handlers = {
    start: on("start"),
    end: on("end"),
    asyncStart: on("asyncStart"),
    asyncEnd: on("asyncEnd"),
    error: on("error"),
  };
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
const ASYNC_OK = ["start", "end", "asyncStart", "asyncEnd"];
const ASYNC_FAILED = ["start", "end", "error", "asyncStart", "asyncEnd"];

export const tracingCases: Case[] = [
  ["the channel names", () => {
    assert.deepEqual({ ...TRACING_CHANNELS }, {
      acquire: "corral:pool:acquire",
      create: "corral:pool:create",
      destroy: "corral:pool:destroy",
      group: "corral:taskGroup:run",
    });
  }],
  ["acquire: an idle resource, a queued wait, a timeout and an abort", async () => {
    const pool = createPool({ create: () => ({}), max: 1 });
    await (await pool.acquire()).release();
    let seen = await watch(TRACING_CHANNELS.acquire, async () => {
      await (await pool.acquire()).release();
    });
    assert.deepEqual(events(seen), ASYNC_OK);
    assert(last(seen).pool === pool && last(seen).queued === false && typeof last(seen).waitTime === "number");
    assert.equal(seen[0]![1].pool, pool);

    const held = await pool.acquire();
    seen = await watch(TRACING_CHANNELS.acquire, async () => {
      const waiting = pool.acquire();
      await sleep(5);
      await held.release();
      await (await waiting).release();
    });
    assert.deepEqual(events(seen), ASYNC_OK);
    assert.equal(last(seen).queued, true);
    assert((last(seen).waitTime as number) >= 4, `waited ${last(seen).waitTime} ms`);
    assert.equal(typeof (last(seen).result as { release: unknown }).release, "function"); // the lease

    const busy = await pool.acquire();
    seen = await watch(TRACING_CHANNELS.acquire, async () => {
      await pool.acquire({ timeout: 5 }).catch(() => {});
    });
    assert.deepEqual(events(seen), ASYNC_FAILED);
    assert(last(seen).error instanceof TimeoutError && last(seen).queued === true);

    const reason = new Error("user left");
    seen = await watch(TRACING_CHANNELS.acquire, async () => {
      const controller = new AbortController();
      const waiting = pool.acquire({ signal: controller.signal }).catch(() => {});
      controller.abort(reason);
      await waiting;
    });
    assert.deepEqual(events(seen), ASYNC_FAILED);
    assert.equal(last(seen).error, reason);
    await busy.release();
    await pool.close();
  }],
  ["create: a success, a failure and a cancelled create", async () => {
    let fail = false;
    const pool = createPool({
      create: async (signal: AbortSignal) => {
        await sleep(fail ? 1 : 2, { signal });
        if (fail) throw new Error("refused");
        return { n: 1 };
      },
      max: 1,
    });
    let seen = await watch(TRACING_CHANNELS.create, async () => {
      await (await pool.acquire()).destroy();
    });
    assert.deepEqual(events(seen), ASYNC_OK);
    assert(last(seen).pool === pool && (last(seen).result as { n: number }).n === 1);
    fail = true;
    seen = await watch(TRACING_CHANNELS.create, async () => {
      await pool.acquire().catch(() => {});
    });
    assert.deepEqual(events(seen).slice(0, 5), ASYNC_FAILED);
    assert.equal((last(seen).error as Error).message, "refused");
    await pool.close();
    // A fresh pool (the failure started a backoff): close() cancels its create in flight through its signal.
    const slow = createPool({ create: (signal: AbortSignal) => sleep(60_000, { signal }).then(() => ({})), max: 1 });
    seen = await watch(TRACING_CHANNELS.create, async () => {
      const waiting = slow.acquire().catch(() => {});
      await sleep(1);
      await slow.close();
      await waiting;
      await sleep(5);
    });
    assert.deepEqual(events(seen), ASYNC_FAILED);
    assert.equal((last(seen).error as Error).name, "PoolClosedError");
    // A create that returns synchronously: start and end only, as traceSync.
    const sync = createPool({ create: () => ({ sync: true }), max: 1 });
    seen = await watch(TRACING_CHANNELS.create, async () => {
      await (await sync.acquire()).release();
    });
    assert.deepEqual(events(seen), ["start", "end"]);
    assert.deepEqual(last(seen).result, { sync: true });
    await sync.close();
  }],
  ["destroy: a success, a failure and a destroy cut off by cleanupTimeout", async () => {
    let mode = "ok";
    const pool = createPool({
      create: () => ({}),
      destroy: async (_resource: object, signal: AbortSignal) => {
        if (mode === "fail") throw new Error("socket gone");
        if (mode === "hang") await sleep(60_000, { signal });
      },
      max: 1,
      cleanupTimeout: 10,
    });
    let seen = await watch(TRACING_CHANNELS.destroy, async () => {
      await (await pool.acquire()).destroy();
    });
    assert.deepEqual(events(seen), ASYNC_OK);
    assert(last(seen).pool === pool && typeof last(seen).resource === "object");
    mode = "fail";
    seen = await watch(TRACING_CHANNELS.destroy, async () => {
      await (await pool.acquire()).destroy();
    });
    assert.deepEqual(events(seen), ASYNC_FAILED);
    assert.equal((last(seen).error as Error).message, "socket gone");
    mode = "hang";
    seen = await watch(TRACING_CHANNELS.destroy, async () => {
      await (await pool.acquire()).destroy();
      await sleep(5);
    });
    assert.deepEqual(events(seen), ASYNC_FAILED);
    assert.equal((last(seen).error as Error).name, "TimeoutError");
    await pool.close();
  }],
  ["taskGroup run: a success, a failure and a cancellation", async () => {
    let seen = await watch(TRACING_CHANNELS.group, async () => {
      await taskGroup((tg) => {
        tg.spawn(() => sleep(1));
        return 7;
      }, { name: "jobs" });
    });
    assert.deepEqual(events(seen), ASYNC_OK);
    assert(last(seen).name === "jobs" && last(seen).result === 7);
    seen = await watch(TRACING_CHANNELS.group, async () => {
      await taskGroup((tg) => {
        tg.spawn(() => Promise.reject(new Error("boom")));
      }).catch(() => {});
    });
    assert.deepEqual(events(seen), ASYNC_FAILED);
    assert.equal((last(seen).error as Error).name, "TaskGroupError");
    const reason = new Error("shutdown");
    seen = await watch(TRACING_CHANNELS.group, async () => {
      await taskGroup(() => sleep(60_000), { signal: AbortSignal.abort(reason) }).catch(() => {});
    });
    assert.deepEqual(events(seen), ASYNC_FAILED);
    assert.equal(last(seen).error, reason);
  }],
  ["spans from the channels (docs/observability.md's subscriber): a queued acquire and a timed-out one", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const tracer = provider.getTracer("corral");
    const spans = new WeakMap<object, Span>();
    const handlers = {
      start: (context: unknown) => void spans.set(context as object, tracer.startSpan("pool.acquire")),
      end: () => {},
      asyncStart: () => {},
      error: (context: unknown) => {
        const { error } = context as { error: unknown };
        spans.get(context as object)?.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
      },
      asyncEnd: (context: unknown) => {
        const { queued, waitTime } = context as { queued: boolean; waitTime: number };
        const span = spans.get(context as object);
        span?.setAttributes({ "corral.pool.queued": queued, "corral.pool.wait_time_ms": waitTime });
        span?.end();
      },
    };
    const channel = tracingChannel(TRACING_CHANNELS.acquire);
    channel.subscribe(handlers);
    const pool = createPool({ create: () => ({}), max: 1 });
    const held = await pool.acquire();
    await pool.acquire({ timeout: 5 }).catch(() => {});
    channel.unsubscribe(handlers);
    await held.release();
    await pool.close();
    const [first, second] = exporter.getFinishedSpans();
    assert.equal(exporter.getFinishedSpans().length, 2);
    assert(first!.name === "pool.acquire" && first!.attributes["corral.pool.queued"] === true);
    assert.equal(first!.status.code, SpanStatusCode.UNSET);
    assert.equal(second!.status.code, SpanStatusCode.ERROR);
    assert.match(second!.status.message!, /TimeoutError/);
    await provider.shutdown();
  }],
];
