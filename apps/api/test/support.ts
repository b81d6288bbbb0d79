// Starting the API as a real process on each runtime, and reading the real
// PostgreSQL and Redis it uses. No mocks: if a service is down, the tests
// fail naming the command that starts it.
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { createClient } from "redis";

export const ROOT: string = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const DATABASE_URL: string = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
export const REDIS_URL: string = process.env.REDIS_URL || "redis://127.0.0.1:6379";

export type Runtime = "node" | "deno" | "bun";
export const RUNTIMES: Runtime[] = (process.env.API_RUNTIMES?.split(",") ?? ["node", "deno", "bun"]) as Runtime[];

function command(rt: Runtime): [string, string[]] {
  switch (rt) {
    case "node":
      return [
        join(ROOT, "node_modules/node24/bin/node"),
        ["--conditions=@corral/source", "--no-warnings", "apps/api/node/main.ts"],
      ];
    case "deno":
      return [join(ROOT, "node_modules/.bin/deno"), [
        "run",
        "-A",
        "--unstable-no-legacy-abort",
        "apps/api/deno/main.ts",
      ]];
    case "bun":
      return [join(ROOT, "node_modules/.bin/bun"), ["--conditions=@corral/source", "apps/api/bun/main.ts"]];
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

let serial = 0;

/** The API as a process: its output, its URL once it listens, and how it ended. */
export class ApiProcess {
  readonly proc: ChildProcess;
  /** The application_name / CLIENT SETNAME its connections carry: unique to this process. */
  readonly name: string;
  output = "";
  readonly url: Promise<string>;
  readonly exited: Promise<Exit>;

  readonly runtime: Runtime;

  constructor(runtime: Runtime, env: Record<string, string> = {}) {
    this.runtime = runtime;
    this.name = `corral-api-e2e-${runtime}-${process.pid}-${++serial}`;
    const [cmd, args] = command(runtime);
    this.proc = spawn(cmd, args, {
      cwd: ROOT,
      env: {
        ...process.env,
        NO_COLOR: "1",
        PORT: "0",
        DATABASE_URL,
        REDIS_URL,
        APP_NAME: this.name,
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.exited = new Promise((resolve) => this.proc.once("exit", (code, signal) => resolve({ code, signal })));
    this.url = new Promise((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        this.output += chunk.toString("utf8");
        const m = this.output.match(/listening on (http:\/\/\S+?),/);
        if (m) resolve(m[1]!);
      };
      this.proc.stdout!.on("data", onData);
      this.proc.stderr!.on("data", onData);
      void this.exited.then((exit) =>
        reject(
          new Error(`the API on ${runtime} exited (${exit.code ?? exit.signal}) before listening:\n${this.output}`),
        )
      );
    });
  }

  /** Sends SIGTERM and waits for the exit (killing it after `ms`, so a hung process fails the test, not the run). */
  async stop(ms = 20_000): Promise<Exit & { ms: number }> {
    const started = Date.now();
    this.proc.kill("SIGTERM");
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), ms);
    const exit = await this.exited;
    clearTimeout(timer);
    return { ...exit, ms: Date.now() - started };
  }
}

/** A connection to the real PostgreSQL for inspecting pg_stat_activity. */
export function inspector(): postgres.Sql {
  return postgres(DATABASE_URL, { max: 1, onnotice: () => {}, connection: { application_name: "corral-api-e2e" } });
}

/** Queries of connections named `name` that are running now. */
export async function activeQueries(sql: postgres.Sql, name: string): Promise<string[]> {
  const rows = await sql<{ query: string }[]>`
    select query from pg_stat_activity where application_name = ${name} and state = 'active'`;
  return rows.map((r) => r.query);
}

/** Connections named `name`, in any state. */
export async function connections(sql: postgres.Sql, name: string): Promise<number> {
  const [row] = await sql<
    { n: number }[]
  >`select count(*)::int as n from pg_stat_activity where application_name = ${name}`;
  return row!.n;
}

/** Redis clients named `name`. */
export async function redisClients(name: string): Promise<number> {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  try {
    const list = await client.sendCommand(["CLIENT", "LIST"]) as string;
    return list.split("\n").filter((line) => line.includes(` name=${name} `)).length;
  } finally {
    client.destroy();
  }
}

/** Polls `check` every 10 ms until it holds; returns the ms it took, or throws after `ms`. */
export async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Fails fast, naming the command, when PostgreSQL or Redis is not running. */
export async function requireServices(): Promise<void> {
  const sql = inspector();
  try {
    await sql`select 1`;
  } catch (error) {
    throw new Error(`PostgreSQL at ${DATABASE_URL} is not reachable (start it: bash scripts/services.sh): ${error}`);
  } finally {
    await sql.end();
  }
  await redisClients("-").catch((error) => {
    throw new Error(`Redis at ${REDIS_URL} is not reachable (start it: bash scripts/services.sh): ${error}`);
  });
}
