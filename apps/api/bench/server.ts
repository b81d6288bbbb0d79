// The HTTP benchmark's server (scripts/bench-http.mjs starts it on each
// runtime): the same two routes, /hello and /db (SELECT 1 through a corral
// pool), served twice — by plain Hono and by Hono with the request-scope
// middleware — and a third time behind a no-op async middleware (the floor
// any async middleware pays: Hono's compose, and on @hono/node-server the
// loss of its synchronous-response fast path), on three ports, by the
// runtime's own server. It prints "ports <plain> <scoped> <noop>" once all
// listen, and stops on SIGTERM.
import { corral, type CorralEnv, corralErrors } from "@corral/hono";
import { createPostgresPool } from "@corral/postgres";
import { Hono } from "hono";

type Fetch = (request: Request) => Response | Promise<Response>;
interface Runtimes {
  Deno?: {
    serve(options: { port: number; hostname: string; onListen(): void }, fetch: Fetch): { addr: { port: number } };
  };
  Bun?: { serve(options: { port: number; hostname: string; fetch: Fetch }): { port: number } };
}
const { Deno: deno, Bun: bun } = globalThis as unknown as Runtimes;
// The runtime's adapter installs the ambient context the middleware makes use of.
await import(deno ? "@corral/deno" : bun ? "@corral/bun" : "@corral/node");

const db = createPostgresPool({ max: 4 });
await db.use((sql) => sql`select 1`);

function routes<E extends CorralEnv | Record<string, never>>(app: Hono<E>): Hono<E> {
  app.get("/hello", (c) => c.text("Hello, corral!"));
  app.get("/db", async (c) => c.json((await db.use((sql) => sql<{ one: number }[]>`select 1 as one`))[0]));
  return app;
}

const plain = routes(new Hono());
const scoped = new Hono<CorralEnv>();
scoped.use(corral({ timeout: 5_000 }));
scoped.onError(corralErrors());
routes(scoped);
const noop = new Hono();
noop.use(async (_c, next) => {
  await next();
});
routes(noop);

async function serve(fetch: Fetch): Promise<number> {
  if (deno) return deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, fetch).addr.port;
  if (bun) return bun.serve({ port: 0, hostname: "127.0.0.1", fetch }).port;
  const { serve } = await import("@hono/node-server");
  return new Promise((resolve) => serve({ fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve(info.port)));
}

console.log(`ports ${await serve(plain.fetch)} ${await serve(scoped.fetch)} ${await serve(noop.fetch)}`);
