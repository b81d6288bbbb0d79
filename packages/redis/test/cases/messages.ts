// Messages that teach: unknown options name every one with the nearest known
// option, and a connection that cannot be opened says where it was going and
// where that address came from.
import { ConnectError, connectRedis, createRedisPool } from "../../src/mod.ts";
import { equal, ok, rejects, throws } from "../assert.ts";
import type { RedisSuite } from "../harness.ts";

/** A loopback port nothing listens on (port 1 needs root to bind). */
const CLOSED = "127.0.0.1:1";

function processEnv(): Record<string, string | undefined> | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
}

export function messageCases(s: RedisSuite): void {
  s.case("RC-12", "unknown options: every one at once, each with the nearest known option", async () => {
    throws(
      () => createRedisPool({ max_connections: 4, db: 2, socket_connect_timeout: 5 } as never),
      TypeError,
      new RegExp(
        "^Cannot create Redis pool as 3 names are not pool options: " +
          "'max_connections' \\(did you mean 'max'\\?\\): received 4; 'db' \\(did you mean 'database'\\?\\): received 2; " +
          "'socket_connect_timeout' \\(did you mean 'connectTimeout'\\?\\): received 5$",
      ),
    );
    throws(
      () => createRedisPool({ acquireTimeoutMillis: 100 } as never),
      TypeError,
      /^Cannot create Redis pool as 'acquireTimeoutMillis' is not a pool option \(did you mean 'acquireTimeout'\?\): received 100$/,
    );
    throws(() => createRedisPool({ testOnBorrow: true } as never), TypeError, /did you mean 'validateAfterIdle'/);
    await rejects(
      () => connectRedis({ host: "127.0.0.1" } as never),
      TypeError,
      /^Cannot connect to Redis as 'host' is not an option \(did you mean 'url'\?\): received "127.0.0.1"$/,
    );
    await rejects(() => connectRedis({ conectTimeout: 5 } as never), TypeError, /did you mean 'connectTimeout'/);
  });

  s.case(
    "RC-13",
    "a connection that cannot be opened names Redis, host:port, the db and the address's source",
    async () => {
      const refused = (await rejects(connectRedis({ url: `redis://${CLOSED}/3` }), ConnectError)) as ConnectError;
      equal(
        refused.message,
        `Cannot connect to Redis at ${CLOSED}, db 3 (address from the 'url' option): connect ECONNREFUSED ${CLOSED}`,
      );
      equal((refused.cause as { code?: string }).code, "ECONNREFUSED", "the client's error is the cause");
      ok(refused.address === CLOSED && refused.database === 3 && refused.from === "url", "its fields");
      const db = (await rejects(connectRedis({ url: `redis://${CLOSED}`, database: 5 }), ConnectError)) as ConnectError;
      ok(db.message.startsWith(`Cannot connect to Redis at ${CLOSED}, db 5 `), db.message);

      const env = processEnv();
      ok(env !== undefined, "the suite runs with a process environment");
      const saved = env.REDIS_URL;
      env.REDIS_URL = `redis://${CLOSED}`;
      try {
        const fromEnv = (await rejects(connectRedis(), ConnectError)) as ConnectError;
        ok(
          fromEnv.message.startsWith(`Cannot connect to Redis at ${CLOSED}, db 0 (address from REDIS_URL)`),
          fromEnv.message,
        );
        // A pool's create fails the same way.
        await using pool = createRedisPool({ min: 1, max: 1 });
        const failed = (await rejects(pool.ready(), ConnectError)) as ConnectError;
        equal(failed.from, "REDIS_URL");
      } finally {
        if (saved === undefined) delete env.REDIS_URL;
        else env.REDIS_URL = saved;
      }

      const unknown = (await rejects(
        connectRedis({ url: "redis://no-such-host.invalid:6379" }),
        ConnectError,
      )) as ConnectError;
      ok(
        unknown.message.startsWith(
          "Cannot connect to Redis at no-such-host.invalid:6379, db 0 (address from the 'url' option): ",
        ) && /ENOTFOUND|EAI_AGAIN/.test(unknown.message), // EAI_AGAIN: a machine without DNS
        unknown.message,
      );
    },
  );
}
