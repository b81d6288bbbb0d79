// The seed's setup_services(): a database pool, a Redis pool and a third
// resource (a "broker") entered on one ExitStack, cleaned up broker → cache →
// db — also when setting up the third fails halfway, and when the scope
// around them is cancelled. Runs against the real servers.
import { CancelScope, ExitStack, sleep } from "@corral/node";
import { createPostgresPool } from "@corral/postgres";
import { createRedisPool } from "@corral/redis";
import { beforeAll, expect, test } from "vitest";
import { DATABASE_URL, REDIS_URL, requireServices } from "./support.ts";

beforeAll(requireServices);

/** A stand-in message broker: connects in two steps, the second of which can fail. */
async function connectBroker(log: string[], failHalfway: boolean): Promise<AsyncDisposable> {
  log.push("broker: connecting");
  await sleep(1);
  if (failHalfway) throw new Error("broker handshake failed");
  log.push("broker: connected");
  return {
    async [Symbol.asyncDispose]() {
      await sleep(1);
      log.push("broker: closed");
    },
  };
}

async function setupServices(stack: ExitStack, log: string[], failBroker: boolean) {
  // Each log line is registered before its resource, so (LIFO) it runs after
  // that resource has closed, and reports what is left of it.
  stack.defer(() => log.push(`db: closed (${db.stats.size} left)`));
  const db = stack.use(createPostgresPool({ url: DATABASE_URL, min: 1, max: 4 }));
  await db.ready();
  log.push("db: ready");
  stack.defer(() => log.push(`cache: closed (${cache.stats.size} left)`));
  const cache = stack.use(createRedisPool({ url: REDIS_URL, min: 1, max: 4 }));
  await cache.ready();
  log.push("cache: ready");
  const broker = stack.use(await connectBroker(log, failBroker));
  return { db, cache, broker };
}

test("setup_services: three resources on one exit stack close broker → cache → db", async () => {
  const log: string[] = [];
  {
    await using stack = new ExitStack();
    const { db, cache } = await setupServices(stack, log, false);
    const [row] = await db.use((sql) => sql`select 41 + 1 as answer`);
    expect(row!.answer).toBe(42);
    expect(await cache.use((conn) => conn.client.ping())).toBe("PONG");
  }
  expect(log).toEqual([
    "db: ready",
    "cache: ready",
    "broker: connecting",
    "broker: connected",
    "broker: closed",
    "cache: closed (0 left)",
    "db: closed (0 left)",
  ]);
});

test("setup_services: when the third resource fails halfway, the first two are still closed, in reverse", async () => {
  const log: string[] = [];
  const error = await (async () => {
    await using stack = new ExitStack();
    await setupServices(stack, log, true);
  })().catch((e: unknown) => e);
  expect((error as Error).message).toBe("broker handshake failed");
  expect(log).toEqual([
    "db: ready",
    "cache: ready",
    "broker: connecting",
    "cache: closed (0 left)",
    "db: closed (0 left)",
  ]);
});

test("setup_services: a cancelled scope still closes everything, and the query in flight is cancelled", async () => {
  const log: string[] = [];
  const scope = new CancelScope({ timeout: 300 });
  const result = await scope.run(async (signal) => {
    await using stack = new ExitStack();
    const { db } = await setupServices(stack, log, false);
    await db.use((sql) => sql`select pg_sleep(10)`, { signal });
    return "finished";
  });
  expect(result).toBeUndefined();
  expect(scope.cancelledCaught).toBe(true);
  expect(log.slice(-3)).toEqual(["broker: closed", "cache: closed (0 left)", "db: closed (0 left)"]);
});
