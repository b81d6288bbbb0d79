// Messages that teach: unknown options name every one with the nearest known
// option, and a connection that cannot be opened says where it was going and
// where that address came from.

import { connect, ConnectError, createPostgresPool } from "../../src/mod.ts";
import type { PgSuite } from "../case-types.ts";
import { equal, ok, rejects, throws } from "../assert.ts";

/** A loopback port nothing listens on (port 1 needs root to bind). */
const CLOSED = "127.0.0.1:1";

function processEnv(): Record<string, string | undefined> | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
}

export function messageCases({ add }: PgSuite): void {
  add("PG-63", "unknown options: every one at once, each with the nearest known option", async () => {
    throws(
      () => createPostgresPool({ max_size: 3, min_size: 1, connectionString: "postgres://x/y" } as never),
      TypeError,
      new RegExp(
        "^Cannot create postgres pool as 3 names are not pool options: " +
          "'max_size' \\(did you mean 'max'\\?\\): received 3; 'min_size' \\(did you mean 'min'\\?\\): received 1; " +
          "'connectionString' \\(did you mean 'url'\\?\\): received \"postgres://x/y\"$",
      ),
    );
    throws(
      () => createPostgresPool({ idleTimeoutMillis: 1000 } as never),
      TypeError,
      /^Cannot create postgres pool as 'idleTimeoutMillis' is not a pool option \(did you mean 'idleTimeout'\?\): received 1000$/,
    );
    throws(
      () => createPostgresPool({ resetTimout: 5 } as never),
      TypeError,
      /'resetTimout'.*did you mean 'resetTimeout'/,
    );
    // A pool hook the driver owns is no option here; the nearest one the driver lets you set is.
    throws(() => createPostgresPool({ testOnBorrow: true } as never), TypeError, /did you mean 'validateAfterIdle'/);
    await rejects(
      () => connect({ dsn: "postgres://127.0.0.1/test" } as never),
      TypeError,
      /^Cannot connect as 'dsn' is not an option \(did you mean 'url'\?\): received "postgres:\/\/127.0.0.1\/test"$/,
    );
  });

  add(
    "PG-64",
    "a connection that cannot be opened names PostgreSQL, host:port, the database and the address's source",
    async () => {
      const refused = (await rejects(connect({ url: `postgres://${CLOSED}/app` }), ConnectError)) as ConnectError;
      equal(
        refused.message,
        `Cannot connect to PostgreSQL at ${CLOSED}, database "app" (address from the 'url' option): ` +
          `connect ECONNREFUSED ${CLOSED}`,
      );
      equal((refused.cause as { code?: string }).code, "ECONNREFUSED", "the driver's error is the cause");
      ok(refused.address === CLOSED && refused.database === "app" && refused.from === "url", "its fields");

      const env = processEnv();
      ok(env !== undefined, "the suite runs with a process environment");
      const saved = env.DATABASE_URL;
      env.DATABASE_URL = `postgres://${CLOSED}/fromenv`;
      try {
        const fromEnv = (await rejects(connect(), ConnectError)) as ConnectError;
        ok(
          fromEnv.message.startsWith(
            `Cannot connect to PostgreSQL at ${CLOSED}, database "fromenv" (address from DATABASE_URL)`,
          ),
          fromEnv.message,
        );
        // A pool's create fails the same way.
        await using pool = createPostgresPool({ min: 1, max: 1 });
        const failed = await rejects(pool.ready(), ConnectError);
        equal((failed as ConnectError).from, "DATABASE_URL");
      } finally {
        if (saved === undefined) delete env.DATABASE_URL;
        else env.DATABASE_URL = saved;
      }

      const unknown = (await rejects(
        connect({ url: "postgres://no-such-host.invalid:5432/test" }),
        ConnectError,
      )) as ConnectError;
      ok(
        unknown.message.startsWith(
          `Cannot connect to PostgreSQL at no-such-host.invalid:5432, database "test" (address from the 'url' option): `,
        ) && /ENOTFOUND|EAI_AGAIN/.test(unknown.message), // EAI_AGAIN: a machine without DNS
        unknown.message,
      );
    },
  );
}
