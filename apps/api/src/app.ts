// The API's routes, written once for every runtime. Every handler runs in
// its request's cancel scope (@corral/hono), and the scope is ambient: the
// queries below take no signal, yet a client that hangs up, a deadline that
// passes or a shutdown's drain period that ends cancels them on the server.
import type { PoolStats } from "@corral/core";
import { type CorralEnv, corralErrors, type CorralMiddleware, routeTimeout } from "@corral/hono";
import { PROMETHEUS_CONTENT_TYPE } from "@corral/otel";
import { type PostgresPool, transaction } from "@corral/postgres";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Cache } from "./cache.ts";

export interface AppDeps {
  db: PostgresPool;
  cache: Cache;
  /** The request-scope middleware; its `draining` is the readiness. */
  requests: CorralMiddleware;
  /** Deadline of /report, ms (it replaces the app-wide one). */
  reportTimeoutMs: number;
  /** Seconds a cached value lives. */
  cacheTtl: number;
  /** The pools' statistics, for /stats. */
  pools: Record<string, { readonly stats: PoolStats } | undefined>;
  /** The pools' OpenTelemetry metrics as Prometheus text, for /metrics. */
  metrics: () => string;
}

interface Item {
  id: number;
  name: string;
  price: number;
  stock: number;
}

/** Creates the tables the routes use and seeds a few items (idempotent). */
export async function setupSchema(db: PostgresPool, signal: AbortSignal): Promise<void> {
  await transaction(db, async (sql) => {
    await sql`create table if not exists api_items (
      id int primary key, name text not null, price int not null, stock int not null)`;
    await sql`create table if not exists api_orders (
      id serial primary key, item int not null references api_items (id), qty int not null,
      at timestamptz not null default now())`;
    await sql`insert into api_items values (1, 'kettle', 30, 1000000), (2, 'teapot', 25, 1000000),
      (3, 'cup', 5, 1000000) on conflict (id) do nothing`;
  }, { signal });
}

function positiveInt(raw: string | undefined, fallback: number, max: number, name: string): number {
  const value = positive(raw, fallback, max, name);
  if (!Number.isInteger(value)) {
    throw new HTTPException(400, { message: `${name} must be an integer from 0 to ${max}: received ${raw}` });
  }
  return value;
}

function positive(raw: string | undefined, fallback: number, max: number, name: string): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!(value >= 0 && value <= max)) {
    throw new HTTPException(400, { message: `${name} must be a number from 0 to ${max}: received ${raw}` });
  }
  return value;
}

export function createApp(deps: AppDeps): Hono<CorralEnv> {
  const { db, cache, requests } = deps;
  const app = new Hono<CorralEnv>();
  app.use(requests);
  // Deadlines, departed clients and a closed or exhausted pool answer
  // without being logged as failures; everything else as Hono does.
  app.onError(corralErrors());

  // Liveness: the process answers. Readiness drops first on shutdown, so a
  // load balancer stops sending new requests while the ones in flight finish.
  app.get("/health", (c) => c.json({ status: "ok" }));
  app.get("/ready", (c) => requests.draining ? c.json({ status: "draining" }, 503) : c.json({ status: "ready" }));

  // For the benchmark: the middleware's cost on its own, and with one query.
  app.get("/hello", (c) => c.text("Hello, corral!"));
  app.get("/db", async (c) => {
    const [row] = await db.use((sql) => sql<{ one: number }[]>`select 1 as one`);
    return c.json(row);
  });

  // Reads: two pool queries, pipelined on a shared connection (issue #14); each obeys the request's scope, so a
  // client that hangs up withdraws or cancels them without touching the neighbours on that connection.
  app.get("/items", async (c) => {
    const limit = positiveInt(c.req.query("limit"), 10, 100, "limit");
    const [items, [count]] = await Promise.all([
      db.sql<Item[]>`select id, name, price, stock from api_items order by id limit ${limit}`,
      db.sql<{ n: number }[]>`select count(*)::int as n from api_orders`,
    ]);
    return c.json({ items, orders: count?.n ?? 0 });
  });

  // A transaction: commits, or rolls back on error and on cancellation.
  app.post("/orders", async (c) => {
    const body = await c.req.json().catch(() => undefined) as { item?: unknown; qty?: unknown } | undefined;
    const item = Number(body?.item);
    const qty = Number(body?.qty ?? 1);
    if (!Number.isInteger(item) || !Number.isInteger(qty) || qty < 1) {
      throw new HTTPException(400, { message: 'expected {"item": <id>, "qty": <n >= 1>}' });
    }
    const order = await transaction(db, async (sql) => {
      const [stock] = await sql<{ stock: number }[]>`
        update api_items set stock = stock - ${qty} where id = ${item} and stock >= ${qty} returning stock`;
      if (stock === undefined) throw new HTTPException(409, { message: `item ${item}: unknown or out of stock` });
      const [row] = await sql<
        { id: number }[]
      >`insert into api_orders (item, qty) values (${item}, ${qty}) returning id`;
      return { id: row!.id, item, qty, stock: stock.stock };
    });
    return c.json(order, 201);
  });

  // The slow report: what clients abandon. Its query stops on the server
  // when they do (the request scope is cancelled, and so is the query).
  app.get("/report", routeTimeout(deps.reportTimeoutMs), async (c) => {
    const seconds = positive(c.req.query("seconds"), 2, 3_600, "seconds");
    const [row] = await db.use((sql) =>
      sql<{ orders: number; at: string }[]>`
        select pg_sleep(${seconds}), (select count(*)::int from api_orders) as orders, now()::text as at`
    );
    return c.json({ orders: row?.orders, at: row?.at });
  });

  // A read through the cache.
  app.get("/items/:id", async (c) => {
    const id = positiveInt(c.req.param("id"), 0, 2 ** 31 - 1, "id");
    const key = `api:item:${id}`;
    const hit = await cache.get(key);
    if (hit !== undefined) return c.json({ ...JSON.parse(hit), cached: true });
    const [item] = await db.use((sql) => sql<Item[]>`select id, name, price, stock from api_items where id = ${id}`);
    if (item === undefined) return c.json({ error: `no item ${id}` }, 404);
    await cache.set(key, JSON.stringify(item), deps.cacheTtl);
    return c.json({ ...item, cached: false });
  });

  // The pools' OpenTelemetry metrics (db.client.connection.*), for Prometheus.
  app.get("/metrics", (c) => c.body(deps.metrics(), 200, { "content-type": PROMETHEUS_CONTENT_TYPE }));

  // Pool statistics, as the pools count them.
  app.get("/stats", (c) =>
    c.json({
      inFlight: requests.inFlight,
      draining: requests.draining,
      pools: Object.fromEntries(Object.entries(deps.pools).map(([name, pool]) => [name, pool?.stats ?? null])),
    }));

  return app;
}
