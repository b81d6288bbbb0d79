// Starting the sample workers as real processes, and reading the real
// PostgreSQL and Redis they use. No mocks: if a service is down, the tests
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
export const RUNTIMES: Runtime[] = ["node", "deno", "bun"];

function command(rt: Runtime): [string, string[]] {
  switch (rt) {
    case "node":
      return [
        join(ROOT, "node_modules/node24/bin/node"),
        ["--conditions=@corral/source", "--no-warnings", "apps/worker/node/main.ts"],
      ];
    case "deno":
      return [join(ROOT, "node_modules/.bin/deno"), ["run", "-A", "apps/worker/deno/main.ts"]];
    case "bun":
      return [join(ROOT, "node_modules/.bin/bun"), ["--conditions=@corral/source", "apps/worker/bun/main.ts"]];
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A worker process: its output lines, when it is ready, and how it ended. */
export class WorkerProcess {
  readonly runtime: Runtime;
  readonly proc: ChildProcess;
  readonly lines: string[] = [];
  /** Every byte it wrote to stdout and stderr, as text (escape sequences included). */
  raw = "";
  readonly exited: Promise<Exit>;
  #waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];

  /** `env` is added to this process's environment (less DATABASE_URL and REDIS_URL); `undefined` removes a variable. */
  constructor(runtime: Runtime, env: Record<string, string | undefined>) {
    this.runtime = runtime;
    const [cmd, args] = command(runtime);
    const merged: Record<string, string | undefined> = {
      ...process.env,
      DATABASE_URL: undefined,
      REDIS_URL: undefined,
    };
    Object.assign(merged, { NO_COLOR: "1" }, env);
    const childEnv: Record<string, string> = {};
    for (const [name, value] of Object.entries(merged)) if (value !== undefined) childEnv[name] = value;
    // stdout and stderr share one pipe (`exec … 2>&1`: the same process id), so
    // lines arrive in the order the worker wrote them, as on a terminal.
    this.proc = spawn("sh", ["-c", 'exec "$0" "$@" 2>&1', cmd, ...args], { cwd: ROOT, env: childEnv, stdio: "pipe" });
    let buffer = "";
    const onData = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      this.raw += text;
      buffer += text;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl).replace(/\r/g, "");
        buffer = buffer.slice(nl + 1);
        this.lines.push(line);
        for (const w of [...this.#waiters]) {
          const m = line.match(w.re);
          if (m) {
            this.#waiters.splice(this.#waiters.indexOf(w), 1);
            w.resolve(m);
          }
        }
      }
    };
    this.proc.stdout!.on("data", onData);
    this.exited = new Promise((resolve) => this.proc.on("exit", (code, signal) => resolve({ code, signal })));
  }

  /** Resolves with the first line (already printed or future) matching `re`; fails after `ms`. */
  waitFor(re: RegExp, ms = 60_000): Promise<RegExpMatchArray> {
    for (const line of this.lines) {
      const m = line.match(re);
      if (m) return Promise.resolve(m);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.runtime} worker: no line matching ${re} within ${ms} ms. Output:\n${this.output()}`));
      }, ms);
      const done = (m: RegExpMatchArray) => {
        clearTimeout(timer);
        resolve(m);
      };
      this.#waiters.push({ re, resolve: done });
      void this.exited.then(() => {
        if (this.#waiters.some((w) => w.resolve === done)) {
          clearTimeout(timer);
          reject(new Error(`${this.runtime} worker exited before printing ${re}. Output:\n${this.output()}`));
        }
      });
    });
  }

  /** Waits for "ready" and returns the status server's URL from the banner. */
  async ready(): Promise<string> {
    await this.waitFor(/^ready$/, 90_000);
    const banner = await this.waitFor(/status (http:\/\/127\.0\.0\.1:\d+)/);
    return banner[1]!;
  }

  kill(signal: NodeJS.Signals): void {
    this.proc.kill(signal);
  }

  output(): string {
    return this.lines.slice(-40).join("\n");
  }
}

/** Fails loudly, naming the command to start them, when PostgreSQL or Redis is unreachable. */
export async function requireServices(): Promise<void> {
  const sql = postgres(DATABASE_URL, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await sql`select 1`;
  } catch (error) {
    throw new Error(
      `PostgreSQL is unreachable at ${DATABASE_URL} (${String(error)}). Start it with: ` +
        "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    );
  } finally {
    await sql.end();
  }
  const redis = createClient({ url: REDIS_URL, socket: { reconnectStrategy: false, connectTimeout: 5_000 } });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(
      `Redis is unreachable at ${REDIS_URL} (${String(error)}). Start it with: redis-server --daemonize yes ` +
        '--bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
    );
  } finally {
    if (redis.isOpen) await redis.quit();
  }
}

/** The workers' result hash, computed independently: a recorded result must match it. */
export function expectedResult(id: string, n: number): string {
  let h = 2166136261;
  for (const ch of `${id}:${n}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return (h >>> 0).toString(16);
}

/** Polls `check` every 100 ms until it returns true; fails with `describe()` after `ms`. */
export async function until(check: () => Promise<boolean>, ms: number, describe: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${await describe()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
