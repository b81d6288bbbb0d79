// What every PostgreSQL integration case shares: the server check that fails
// loudly, an admin connection for pg_stat_activity / pg_terminate_backend,
// and the factories for the shared driver suite. No runner, no runtime API.

import { type DriverFactories, type DriverFaultFactories, freezableProxy as startProxy } from "@corral/conformance";
import type { PoolEvent } from "@corral/core";
import {
  connect,
  createPostgresPool,
  DEFAULT_URL,
  type PgSql,
  pidOf,
  type PostgresConnection,
  transaction,
} from "../src/mod.ts";
import type { ConnectOptions, PostgresPoolOptions } from "../src/mod.ts";

export const START = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start";

/** An environment variable, or undefined (also where the environment cannot be read). */
export function env(name: string): string | undefined {
  try {
    return (globalThis as { process?: { env?: Record<string, string> } }).process?.env?.[name] || undefined;
  } catch {
    return undefined;
  }
}

/** The server the suite uses: DATABASE_URL, else the driver's default. */
export function url(): string {
  return env("DATABASE_URL") ?? DEFAULT_URL;
}

let admin: Promise<PostgresConnection> | undefined;

/**
 * A connection for looking at the server from outside the pool under test.
 * Fails with the command that starts PostgreSQL when it is unreachable.
 */
export function adminConnection(): Promise<PostgresConnection> {
  admin ??= (async () => {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new Error("no answer within 5 s")), 5000);
    try {
      return await connect({ url: url(), signal: timeout.signal });
    } catch (error) {
      admin = undefined;
      throw new Error(
        `PostgreSQL is not reachable at ${url()} (${(error as Error)?.message ?? error}).\n` +
          `Start it with:  ${START}`,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
  })();
  return admin;
}

/** Closes the admin connection (every case ends with it, so no socket outlives a case). */
export async function closeAdmin(): Promise<void> {
  const pending = admin;
  admin = undefined;
  if (pending) await (await pending.catch(() => undefined))?.close();
}

/**
 * The server sessions of the pools this process made. Other test runs (the
 * other runtimes' legs, other checkouts) share the server and run the same
 * marked queries: {@linkcode activeWith} counts only these.
 */
const ours = new Set<number>();

/** A pool for a case; checks the server first so an outage fails with the start command. */
export async function makePool(options: PostgresPoolOptions = {}): Promise<ReturnType<typeof createPostgresPool>> {
  await adminConnection();
  const pool = createPostgresPool({ url: url(), ...options });
  pool.addEventListener("create", (event) => void ours.add(pidOf((event as PoolEvent<PgSql>).resource!)));
  return pool;
}

/** A dedicated connection whose queries {@linkcode activeWith} counts. */
export async function ourConnection(options: ConnectOptions = {}): Promise<PostgresConnection> {
  await adminConnection();
  const conn = await connect({ url: url(), ...options });
  ours.add(conn.pid);
  return conn;
}

/** Terminates a server session from the admin connection and waits until it is gone. */
export async function terminate(pid: number): Promise<void> {
  const sql = (await adminConnection()).sql;
  await sql`select pg_terminate_backend(${pid})`;
  for (let i = 0; i < 100; i++) {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where pid = ${pid}`;
    if (row!.n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`server session ${pid} did not end`);
}

/** Sessions of this process's pools running a query whose text contains `marker`. */
export async function activeWith(marker: string): Promise<number> {
  const sql = (await adminConnection()).sql;
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from pg_stat_activity
    where state = 'active' and pid = any(${[...ours]}::int[]) and position(${marker} in query) > 0`;
  return row!.n;
}

/** Polls `check` every 20 ms until it holds or `ms` pass; returns whether it held. */
export async function eventually(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  do {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  } while (performance.now() < end);
  return check();
}

/** The shared driver suite's view of PostgreSQL. */
export const factories: DriverFactories<PgSql> = {
  name: "postgres",
  makePool: ({ max }) => makePool({ max }),
  slow: (sql) => sql`select pg_sleep(30) /* corral-dr-slow */`,
  quick: async (sql) => (await sql<{ one: number }[]>`select 1 as one`)[0]!.one,
  breakConnection: (sql) => terminate(pidOf(sql)),
};

/** The dead-peer suite's view of PostgreSQL: pools through the fault proxy, sessions by `application_name`. */
export const faultFactories: DriverFaultFactories<PgSql> = {
  name: "postgres",
  async openProxy() {
    const target = new URL(url());
    return await startProxy(await import("node:net"), { host: target.hostname, port: Number(target.port || 5432) });
  },
  makePool({ port, max, tag, connectTimeout, cleanupTimeout }) {
    const proxied = new URL(url());
    proxied.hostname = "127.0.0.1";
    proxied.port = String(port);
    return makePool({
      url: proxied.toString(),
      max,
      cleanupTimeout,
      postgres: { connect_timeout: connectTimeout / 1000, connection: { application_name: tag } },
    });
  },
  quick: async (sql) => (await sql<{ one: number }[]>`select 1 as one`)[0]!.one,
  plain: (sql) => sql`select 1 as one`,
  dirty: (sql) => sql`select set_config('corral.df', 'dirty', false)`,
  async sessions(tag) {
    const sql = (await adminConnection()).sql;
    const [row] = await sql<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity where application_name = ${tag}`;
    return row!.n;
  },
  transaction: (pool, signal, beforeCommit) =>
    transaction(pool as never, async (sql: PgSql) => {
      await sql`select 1`;
      beforeCommit();
    }, { signal }),
};

/** A TCP proxy in front of the server that can stop answering (a hung server or network), for one case. */
export interface FreezableProxy extends AsyncDisposable {
  /** The server URL through the proxy. */
  readonly url: string;
  /** From now on nothing is forwarded, on open connections and new ones alike: the server seems hung. */
  freeze(): void;
  /** Closes the proxy and every socket through it. */
  close(): Promise<void>;
}

/** Starts a {@linkcode FreezableProxy} to the test server (the conformance package's proxy). */
export async function freezableProxy(): Promise<FreezableProxy> {
  const target = new URL(url());
  const proxy = await startProxy(await import("node:net"), {
    host: target.hostname,
    port: Number(target.port || 5432),
  });
  const proxied = new URL(url());
  proxied.hostname = "127.0.0.1";
  proxied.port = String(proxy.port);
  return {
    url: proxied.toString(),
    freeze: () => proxy.freeze(),
    close: () => proxy.close(),
    [Symbol.asyncDispose]: () => proxy.close(),
  };
}
