#!/usr/bin/env node
// The request-scope middleware's cost under a real load generator: autocannon
// against apps/api/bench/server.ts on each runtime, which serves /hello and
// /db (SELECT 1 through a corral pool) by plain Hono and by Hono with
// @corral/hono's middleware, in the same process. The two alternate in
// rounds, so drift on a shared machine hits both; the ratio is what counts.
// Targets (issue #18): at most 5% fewer requests/s on /db, 15% on /hello.
// Needs PostgreSQL (DATABASE_URL, else postgres://127.0.0.1:5432/test).
// Usage: node scripts/bench-http.mjs [--runtimes=node24,deno,bun] [--seconds=3] [--rounds=2]
import { spawn } from "node:child_process";
import autocannon from "autocannon";
import { root, runtimes } from "./lib/runtimes.mjs";

const arg = (name, fallback) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const legs = arg("runtimes", "node24,deno,bun").split(",");
const seconds = Number(arg("seconds", "3"));
const rounds = Number(arg("rounds", "2"));
const TARGETS = { "/hello": 15, "/db": 5 };
const bins = runtimes();
const server = "apps/api/bench/server.ts";
const commands = {
  node20: [bins.node20, ["--experimental-strip-types", "--conditions=@corral/source", "--no-warnings", server]],
  node24: [bins.node24, ["--conditions=@corral/source", "--no-warnings", server]],
  deno: [bins.deno, ["run", "-A", "--unstable-no-legacy-abort", server]],
  bun: [bins.bun, ["--conditions=@corral/source", server]],
};

/** Starts the server on `leg`; resolves with its process and two ports. */
function start(leg) {
  const [cmd, args] = commands[leg];
  const proc = spawn(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    proc.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/ports (\d+) (\d+) (\d+)/);
      if (m) resolve({ proc, plain: Number(m[1]), scoped: Number(m[2]), noop: Number(m[3]) });
    });
    proc.once("exit", (code) => reject(new Error(`the bench server on ${leg} exited (${code}):\n${out}`)));
  });
}

/** Requests per second over `seconds` against `url` (2xx only; anything else fails the bench). */
async function measure(url) {
  const result = await autocannon({ url, connections: 32, duration: seconds });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  }
  return result.requests.average;
}

let missed = 0;
for (const leg of legs) {
  if (!commands[leg]) throw new Error(`unknown runtime ${leg} (known: ${Object.keys(commands).join(", ")})`);
  const { proc, plain, scoped, noop } = await start(leg);
  try {
    console.log(
      `\n# HTTP: plain Hono vs @corral/hono on ${leg} (autocannon, 32 connections, ${rounds}×${seconds} s each)`,
    );
    for (const path of Object.keys(TARGETS)) {
      await measure(`http://127.0.0.1:${plain}${path}`); // warm both up
      await measure(`http://127.0.0.1:${scoped}${path}`);
      let a = 0;
      let b = 0;
      let n = 0;
      for (let r = 0; r < rounds; r++) {
        a += await measure(`http://127.0.0.1:${plain}${path}`);
        b += await measure(`http://127.0.0.1:${scoped}${path}`);
        n += await measure(`http://127.0.0.1:${noop}${path}`);
      }
      const fewer = (1 - b / a) * 100;
      const ok = fewer <= TARGETS[path];
      if (!ok) missed++;
      console.log(
        `${path.padEnd(7)} plain ${(a / rounds).toFixed(0).padStart(6)} req/s · middleware ${
          (b / rounds).toFixed(0).padStart(6)
        } req/s · ratio ${(b / a).toFixed(3)} (${fewer.toFixed(1)}% fewer; target ≤ ${TARGETS[path]}%) ${
          ok ? "ok" : "MISSED"
        }; vs a no-op async middleware ${(b / n).toFixed(3)}`,
      );
    }
  } finally {
    proc.kill("SIGTERM");
  }
}
if (missed) console.log(`\n${missed} target(s) missed (a shared machine is noisy: rerun before concluding)`);
