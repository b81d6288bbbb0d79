// What the public types promise beyond the documentation's examples, checked
// by scripts/check-types.mjs in every setup (it compiles this file beside the
// examples, in the scratch project that installed the packed packages).
import { createPool, type PoolEvent, TaskGroupError } from "@corral/node";
import { createPostgresPool, type PgSql, transaction } from "@corral/postgres";
import postgres from "postgres";

/**
 * `true` only when `T` is `any`. `notAny(value)` fails to compile ("Expected 2 arguments, but got 1") when
 * `value` is `any`: an `any` that leaks through a declaration fails the checks below.
 */
type IsAny<T> = 0 extends 1 & T ? true : false;
function notAny<T>(_value: T, ..._proof: IsAny<T> extends true ? [never] : []): void {}

// The pool's events are typed: a listener for "error" gets a PoolEvent (not `any`, also without the DOM lib) …
interface Conn {
  id: number;
}
const pool = createPool<Conn>({ create: () => ({ id: 1 }), max: 1 });
pool.addEventListener("error", (event) => {
  notAny(event);
  const typed: PoolEvent<Conn> = event;
  notAny(typed.phase);
});
pool.addEventListener("leak", (event) => void event.heldFor, { once: true });
// … a typed listener that was added can be removed …
const onError = (event: PoolEvent<Conn>): void => void event.error;
pool.addEventListener("error", onError);
pool.removeEventListener("error", onError);
// … and a name the pool never dispatches is an error.
// @ts-expect-error "eror" is not one of the pool's events
pool.addEventListener("eror", () => {});

// A task group's failures are whatever was thrown: narrow one before using it.
declare const failed: TaskGroupError;
notAny(failed.errors[0]);
// @ts-expect-error `unknown` has no `message` until it is narrowed
void failed.errors[0].message;

// A helper typed with PgSql (postgres's own ISql) takes a lease's query function, a
// transaction's, and the postgres package's own pool and transactions.
async function count(sql: PgSql): Promise<number> {
  const [row] = await sql<[{ n: number }]>`select count(*)::int as n from pg_class`;
  return row.n;
}
const db = createPostgresPool({ max: 1 });
await db.use((sql) => count(sql));
await transaction(db, (sql) => count(sql));
const own = postgres();
await count(own);
await own.begin((sql) => count(sql));
