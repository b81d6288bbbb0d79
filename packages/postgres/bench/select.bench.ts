// SELECT 1 throughput: 100 concurrent tasks over a pool of 10 connections,
// in the same run, against the real server (DATABASE_URL, else
// postgres://127.0.0.1:5432/test):
// - pipelined: corral's pool queries (`pool.bind(signal)`: shared leases,
//   every query obeys its signal) beside the postgres package's own pool
//   (which pipelines too) and pg-pool. Target (issue 14): corral ÷
//   postgres <= 1.05.
// - exclusive: `pool.use((sql) => sql\`select 1\`, { signal })` beside the
//   floor for exclusive leases on this driver — a hand-rolled array pool of
//   ten `postgres` instances with max 1, no cancellation, no reset. Target:
//   <= 1.10× the floor.
// - mixed: 90% pipelined reads, 10% short exclusive transactions, beside
//   postgres doing the same (its `sql.begin`). Target: within 10%.
import postgres from "postgres";
import pg from "pg";
import { CancelScope } from "@corral/core";
import { createPostgresPool, DEFAULT_URL, transaction } from "@corral/postgres";
import { compare, runtimeName, verdict } from "../../core/bench/lib.ts";

const TASKS = 100;
const MAX = 10;
const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
const url = env?.DATABASE_URL ?? DEFAULT_URL;

const corral = createPostgresPool({ url, max: MAX, min: MAX });
await corral.ready();
// The user corral resolved (Bun has no reliable OS user name), for the peers.
const [row] = await corral.use((sql) => sql<{ user: string }[]>`select current_user as user`);
const user = row!.user;
const js = postgres(url, { max: MAX, user, onnotice: () => {} });
const parsed = new URL(url);
const pgPool = new pg.Pool({
  host: parsed.hostname,
  port: Number(parsed.port || 5432),
  database: parsed.pathname.slice(1),
  user,
  password: decodeURIComponent(parsed.password) || undefined,
  max: MAX,
});
let sink = 0;

const floorConnections = await Promise.all(
  Array.from({ length: MAX }, () => postgres(url, { max: 1, user, onnotice: () => {} })),
);
const idle = [...floorConnections];
const waiting: ((sql: postgres.Sql) => void)[] = [];
async function floor(): Promise<unknown> {
  const sql = idle.pop() ?? await new Promise<postgres.Sql>((resolve) => waiting.push(resolve));
  try {
    return await sql`select 1`;
  } finally {
    const next = waiting.shift();
    if (next) next(sql);
    else idle.push(sql);
  }
}

/** Runs `n` operations with `TASKS` workers, each taking the next op until none is left. */
async function fanOut(n: number, op: () => Promise<unknown>): Promise<void> {
  let left = n;
  const worker = async () => {
    while (left-- > 0) {
      await op();
      sink++;
    }
  };
  await Promise.all(Array.from({ length: TASKS }, worker));
}

// Warm every pool to MAX connections (and prepared statements) before timing.
await fanOut(2000, () => js`select 1`);
await fanOut(2000, () => pgPool.query("select 1"));
await fanOut(2000, () => corral.use((sql) => sql`select 1`));
await fanOut(2000, floor);

const scope = new CancelScope();
const piped = corral.bind(scope.signal);
await fanOut(2000, () => piped`select 1`);
const rows = await compare(`SELECT 1, ${TASKS} concurrent tasks over a pool of ${MAX}`, [
  { name: "postgres (own pool)", run: (n) => fanOut(n, () => js`select 1`) },
  { name: "pg-pool", run: (n) => fanOut(n, () => pgPool.query("select 1")) },
  { name: "corral pool.bind(signal) (pipelined)", run: (n) => fanOut(n, () => piped`select 1`) },
  { name: "corral pool.use", run: (n) => fanOut(n, () => corral.use((sql) => sql`select 1`)) },
  {
    name: "corral pool.use({ signal })",
    run: (n) => fanOut(n, () => corral.use((sql) => sql`select 1`, { signal: scope.signal })),
  },
  { name: "exclusive floor (hand-rolled)", run: (n) => fanOut(n, floor) },
], { ops: 4000, rounds: 7, unit: "query", baseline: "postgres (own pool)" });

let turn = 0;
const mixed = await compare(`90% SELECT 1, 10% short transactions, ${TASKS} tasks over a pool of ${MAX}`, [
  {
    name: "postgres (sql.begin)",
    run: (n) => fanOut(n, () => ++turn % 10 === 0 ? js.begin((sql) => sql`select 1`) : js`select 1`),
  },
  {
    name: "corral (pool queries + transaction)",
    run: (n) =>
      fanOut(
        n,
        () =>
          ++turn % 10 === 0 ? transaction(corral, (sql) => sql`select 1`, { signal: scope.signal }) : piped`select 1`,
      ),
  },
], { ops: 4000, rounds: 7, unit: "op", baseline: "postgres (sql.begin)" });
scope[Symbol.dispose]();

const ns = (name: string) => rows.find((r) => r.name === name)!.ns;
const where = runtimeName();
const pipedRatio = ns("corral pool.bind(signal) (pipelined)") / ns("postgres (own pool)");
verdict(`corral pipelined pool queries ÷ postgres <= 1.05 (${where})`, pipedRatio <= 1.05, `${pipedRatio.toFixed(2)}×`);
const exclusiveRatio = ns("corral pool.use({ signal })") / ns("exclusive floor (hand-rolled)");
verdict(
  `corral pool.use({ signal }) ÷ exclusive floor <= 1.10 (${where})`,
  exclusiveRatio <= 1.1,
  `${exclusiveRatio.toFixed(2)}×`,
);
const mixedRatio = mixed[1]!.ns / mixed[0]!.ns;
verdict(`corral mixed ÷ postgres mixed <= 1.10 (${where})`, mixedRatio <= 1.1, `${mixedRatio.toFixed(2)}×`);
console.log(
  `(for scale: corral pool.use = ${(ns("corral pool.use") / ns("pg-pool")).toFixed(2)}× pg-pool, ` +
    `${(ns("corral pool.use") / ns("exclusive floor (hand-rolled)")).toFixed(2)}× the exclusive floor)`,
);

await Promise.all([corral.close(), js.end(), pgPool.end(), ...floorConnections.map((sql) => sql.end())]);
if (sink === 0) console.log("(no work done)");
