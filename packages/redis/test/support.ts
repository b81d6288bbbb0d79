// What every Redis integration case shares: the server address, a loud
// failure when the server is down, per-run key prefixes, an admin client.
import { freezableProxy as startProxy } from "@corral/conformance";
import { createClient } from "redis";
import type { RedisClient } from "../src/mod.ts";

/** The command that starts the server these tests need. */
export const START =
  'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log';

function env(): string | undefined {
  const g = globalThis as {
    Deno?: { env: { get(k: string): string | undefined } };
    process?: { env: Record<string, string | undefined> };
  };
  return g.Deno ? g.Deno.env.get("REDIS_URL") : g.process?.env.REDIS_URL;
}

export const URL: string = env() || "redis://127.0.0.1:6379";

/** Which runtime runs the tests, for prefixes and messages. */
export const RUNTIME: string = "Deno" in globalThis
  ? "deno"
  : "Bun" in globalThis
  ? "bun"
  : `node${(globalThis as { process?: { versions: { node: string } } }).process?.versions.node.split(".")[0]}`;

const RUN = `corral-test:${RUNTIME}:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
let serial = 0;

/** A key prefix no other test, run or runtime uses. */
export function prefix(): string {
  return `${RUN}:${++serial}:`;
}

/**
 * Connects an admin client (a plain multiplexed client); fails loudly,
 * naming the command that starts Redis, when the server is unreachable.
 */
export async function admin(): Promise<RedisClient> {
  const client: RedisClient = createClient({ url: URL, socket: { reconnectStrategy: false, connectTimeout: 3000 } });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (error) {
    client.destroy();
    throw new Error(
      `Redis is not reachable at ${URL} (${
        (error as Error)?.message ?? error
      }). These integration tests never skip: start it with\n  ${START}`,
      { cause: error },
    );
  }
  return client;
}

/** Deletes every key under `keyPrefix`. */
export async function sweep(client: RedisClient, keyPrefix: string): Promise<void> {
  for await (const keys of client.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 1000 })) {
    if (keys.length > 0) await client.del(keys);
  }
}

/** Opens an admin client for `fn` and cleans up its keys and the client afterwards. */
export async function withAdmin<T>(fn: (client: RedisClient, keys: string) => Promise<T>): Promise<T> {
  const client = await admin();
  const keys = prefix();
  try {
    return await fn(client, keys);
  } finally {
    await sweep(client, keys);
    await client.close();
  }
}

/** The server's view of one connection (`CLIENT LIST ID id`), or undefined once it is gone. */
export async function clientInfo(client: RedisClient, id: number): Promise<Record<string, string> | undefined> {
  const line = String(await client.sendCommand(["CLIENT", "LIST", "ID", String(id)])).trim();
  if (!line) return undefined;
  return Object.fromEntries(
    line.split(" ").map((pair) => {
      const at = pair.indexOf("=");
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}

/** Polls `check` until it returns true or `ms` pass; returns the last result. */
export async function eventually(check: () => Promise<boolean> | boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A TCP proxy in front of the server that can stop answering (a hung server or network), for one case. */
export interface FreezableProxy extends AsyncDisposable {
  /** The server URL through the proxy. */
  readonly url: string;
  /** How many sockets are open through the proxy (client and server sides). */
  readonly sockets: number;
  /** From now on nothing is forwarded, on open connections and new ones alike: the server seems hung. */
  freeze(): void;
  /** Closes the proxy and every socket through it. */
  close(): Promise<void>;
}

/** Starts a {@linkcode FreezableProxy} to the test server (the conformance package's proxy). */
export async function freezableProxy(): Promise<FreezableProxy> {
  const target = new globalThis.URL(URL);
  const proxy = await startProxy(await import("node:net"), {
    host: target.hostname,
    port: Number(target.port || 6379),
  });
  return {
    url: `redis://127.0.0.1:${proxy.port}`,
    get sockets() {
      return proxy.sockets;
    },
    freeze: () => proxy.freeze(),
    close: () => proxy.close(),
    [Symbol.asyncDispose]: () => proxy.close(),
  };
}
