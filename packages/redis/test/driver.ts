// The shared driver suite's factories for Redis: the slow call is a BLPOP
// on a list nobody fills, the quick one a PING, and a connection is broken
// with CLIENT KILL from a separate client.
import type { DriverFactories } from "@corral/conformance";
import { createRedisPool, type RedisConnection } from "../src/mod.ts";
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
