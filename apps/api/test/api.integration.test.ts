// End to end, on each runtime: the API as a real process against the real
// PostgreSQL and Redis. One process per runtime serves three cases in order,
// the last of which shuts it down:
//  - a client that hangs up during a pg_sleep(10) report: the query is gone
//    from pg_stat_activity within a second, the connection back in the pool;
//  - a report past its deadline answers 504, and its query is cancelled;
//  - /metrics serves both pools' metrics in the Prometheus text format;
//  - SIGTERM under a bounded load on loopback: every request completes or is
//    cancelled cleanly (503), no connection is reset, the process exits 143
//    within the drain period plus the pools' close, and leaves no connection
//    behind in pg_stat_activity or Redis's CLIENT LIST.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type postgres from "postgres";
import {
  activeQueries,
  ApiProcess,
  connections,
  inspector,
  redisClients,
  requireServices,
  RUNTIMES,
  until,
} from "./support.ts";

const REPORT_TIMEOUT_MS = 1_200;
const DRAIN_MS = 600;
const CANCEL_MS = 1_000;
/** The pools' close (5 s at most, in config.ts's grace period) plus a loaded machine's start-up of the exit. */
const CLOSE_BOUND_MS = 5_000 + 3_000;

let sql: postgres.Sql;
beforeAll(async () => {
  await requireServices();
  sql = inspector();
});
afterAll(() => sql?.end());

/** The error code under a fetch failure (undici puts the socket's error in `cause`). */
function codeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? String(error);
}

describe.each(RUNTIMES)("the API on %s", (runtime) => {
  let api: ApiProcess;
  let url: string;
  beforeAll(async () => {
    api = new ApiProcess(runtime, {
      REPORT_TIMEOUT_MS: String(REPORT_TIMEOUT_MS),
      DRAIN_MS: String(DRAIN_MS),
      CANCEL_MS: String(CANCEL_MS),
    });
    url = await api.url;
  });
  afterAll(async () => {
    if (api.proc.exitCode === null && api.proc.signalCode === null) await api.stop();
  });

  test("a client that hangs up during pg_sleep(10): the query is gone within a second", async () => {
    const client = new AbortController();
    const request = fetch(`${url}/report?seconds=10`, { signal: client.signal }).catch((error) => error);
    await until(
      async () => (await activeQueries(sql, api.name)).some((q) => q.includes("pg_sleep")),
      5_000,
      "pg_sleep",
    );
    client.abort();
    expect((await request as Error).name).toBe("AbortError");
    const gone = await until(
      async () => !(await activeQueries(sql, api.name)).some((q) => q.includes("pg_sleep")),
      5_000,
      "the query to stop",
    );
    expect(gone).toBeLessThan(1_000);
    // The connection is back in the pool (or replaced), and the pool serves.
    await until(
      async () => {
        const stats = await (await fetch(`${url}/stats`)).json() as { pools: { postgres: { borrowed: number } } };
        return stats.pools.postgres.borrowed === 0;
      },
      5_000,
      "the connection to come back",
    );
    expect(await (await fetch(`${url}/db`)).json()).toEqual({ one: 1 });
  });

  test("a report past its deadline answers 504, and its query is cancelled on the server", async () => {
    const started = Date.now();
    const res = await fetch(`${url}/report?seconds=10`);
    expect(res.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(REPORT_TIMEOUT_MS + 3_000);
    await until(
      async () => !(await activeQueries(sql, api.name)).some((q) => q.includes("pg_sleep")),
      1_000,
      "the query to be cancelled",
    );
  });

  test("/metrics serves both pools' OpenTelemetry metrics as Prometheus text", async () => {
    const series = (text: string, line: string) => text.split("\n").find((l) => l.startsWith(`${line} `));
    const pg = 'db_client_connection_pool_name="postgres",db_system_name="postgresql"';
    const rd = 'db_client_connection_pool_name="redis",db_system_name="redis"';
    const stats = await (await fetch(`${url}/stats`)).json() as { pools: { postgres: { acquires: number } } };
    let text = "";
    // Exported every second: wait for an export that has seen the requests above.
    await until(
      async () => {
        const res = await fetch(`${url}/metrics`);
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
        text = await res.text();
        const waits = series(text, `db_client_connection_wait_time_seconds_count{${pg}}`);
        return waits !== undefined && Number(waits.split(" ")[1]) >= stats.pools.postgres.acquires;
      },
      5_000,
      `/metrics to count ${stats.pools.postgres.acquires} acquires`,
    );
    expect(text).toContain("# TYPE db_client_connection_count gauge");
    expect(series(text, `db_client_connection_max{${pg}}`)).toBe(`db_client_connection_max{${pg}} 10`);
    expect(series(text, `db_client_connection_max{${rd}}`)).toBe(`db_client_connection_max{${rd}} 10`);
    expect(series(text, `db_client_connection_timeouts_total{${pg}}`)).toBe(
      `db_client_connection_timeouts_total{${pg}} 0`,
    );
    expect(series(text, `db_client_connection_count{${pg},db_client_connection_state="idle"}`)).toBeDefined();
    expect(text).toContain("# TYPE db_client_connection_use_time_seconds histogram");
  });

  test("SIGTERM under load: requests complete or are cancelled cleanly, exit 143, nothing left", async () => {
    const statuses: number[] = [];
    const errors: { what: string; after: number }[] = [];
    let refused = 0;
    let sigterm = 0;
    /** One client: requests back to back on its kept-alive connection until the server refuses it. */
    const loop = async (path: string, init?: RequestInit) => {
      for (;;) {
        try {
          const res = await fetch(`${url}${path}`, init);
          await res.arrayBuffer();
          statuses.push(res.status);
        } catch (error) {
          const code = codeOf(error);
          if (code === "ECONNREFUSED") refused++;
          else errors.push({ what: `${path}: ${code}`, after: sigterm === 0 ? -1 : Date.now() - sigterm });
          return;
        }
      }
    };
    const order = { method: "POST", body: JSON.stringify({ item: 3, qty: 1 }) };
    const loops = [
      loop("/db"),
      loop("/db"),
      loop("/items"),
      loop("/items/2"),
      loop("/orders", order),
      loop("/hello"),
    ];
    const report = async (seconds: number) => {
      try {
        return (await fetch(`${url}/report?seconds=${seconds}`)).status;
      } catch (error) {
        return codeOf(error);
      }
    };
    await new Promise((r) => setTimeout(r, 300));
    const short = [report(0.3), report(0.3)]; // finish within the drain period
    const long = [report(10), report(10)]; // cancelled when it ends
    await until(
      async () => (await activeQueries(sql, api.name)).filter((q) => q.includes("pg_sleep")).length >= 3,
      5_000,
      "the reports",
    );
    sigterm = Date.now();
    const exit = await api.stop();
    await Promise.all(loops);

    // A client that is connecting at the instant the listener closes is reset by the kernel (the connection
    // sat in the accept backlog): the loops below reconnect at once after each `Connection: close` reply, so a
    // few of them can meet that instant. On Bun, Bun.serve's stop() also closes idle kept-alive connections at
    // once (bun/server.ts). Only that is allowed, and only then: a reset of a request in flight, or later in
    // the drain, or any other error, still fails.
    const late = errors.filter((e) => e.after < 0 || e.after > 500 || !/ECONNRESET|UND_ERR_SOCKET/.test(e.what));
    expect(late).toEqual([]);
    expect(await Promise.all(short)).toEqual([200, 200]);
    expect(await Promise.all(long)).toEqual([503, 503]);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 200 && s !== 201)).toEqual([]);
    expect(refused).toBe(loops.length - errors.length);
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 143, signal: null });
    expect(exit.ms).toBeLessThan(DRAIN_MS + CANCEL_MS + CLOSE_BOUND_MS);
    expect(api.output).toMatch(/drained in \d+ ms: 2 request\(s\) cancelled/);
    await until(async () => (await connections(sql, api.name)) === 0, 2_000, "no PostgreSQL connection left");
    await until(async () => (await redisClients(api.name)) === 0, 2_000, "no Redis client left");
  });
});
