// The shared driver suite's factories for Redis: the slow call is a BLPOP
// on a list nobody fills, the quick one a PING, and a connection is broken
// with CLIENT KILL from a separate client.
import { type DriverFactories, type DriverFaultFactories, freezableProxy as openProxy } from "@corral/conformance";
import { createRedisPool, type RedisConnection, transaction } from "../src/mod.ts";
import { admin, prefix, URL } from "./support.ts";

const never = `${prefix()}never`;

export const factories: DriverFactories<RedisConnection> = {
  name: "redis",
  makePool: ({ max }) => createRedisPool({ url: URL, max }),
  slow: (conn, signal) => conn.blpop(never, { signal }),
  quick: (conn, signal) => conn.call((client) => client.ping(), { signal }),
  async breakConnection(conn) {
    const client = await admin();
    try {
      await client.sendCommand(["CLIENT", "KILL", "ID", String(conn.id)]);
    } finally {
      await client.close();
    }
  },
};

/** The dead-peer suite's view of Redis: pools through the fault proxy, sessions by `CLIENT SETNAME`. */
export const faultFactories: DriverFaultFactories<RedisConnection> = {
  name: "redis",
  async openProxy() {
    const target = new globalThis.URL(URL);
    return await openProxy(await import("node:net"), { host: target.hostname, port: Number(target.port || 6379) });
  },
  makePool: ({ port, max, tag, connectTimeout, cleanupTimeout }) =>
    createRedisPool({ url: `redis://127.0.0.1:${port}`, max, name: tag, connectTimeout, cleanupTimeout }),
  quick: (conn, signal) => conn.call((client) => client.ping(), { signal }),
  plain: (conn) => conn.client.ping(),
  dirty: (conn, signal) => conn.call((client) => client.select(1), { signal }),
  async sessions(tag) {
    const client = await admin();
    try {
      const list = String(await client.sendCommand(["CLIENT", "LIST"]));
      return list.split("\n").filter((line) => line.includes(` name=${tag} `)).length;
    } finally {
      await client.close();
    }
  },
  transaction: (pool, signal, beforeCommit) =>
    transaction(pool, async (client) => {
      await client.get(never);
      beforeCommit();
      return client.multi().set(`${never}:tx`, "1");
    }, { signal, watch: never }),
};
