#!/usr/bin/env node
// The request-scope middleware's cost under a real load generator: autocannon
// against apps/api/bench/server.ts on each runtime, which serves /hello and
// /db (SELECT 1 through a corral pool) three ways in one process: plain Hono
// (A), Hono with @corral/hono's middleware (B), and Hono behind a no-op async
// middleware (C, the floor any async middleware pays).
//
// A shared machine drifts by tens of percent over a minute, so one long run
// per variant measures the drift, not the middleware. Instead each route gets
// several short rounds, each measuring A, B and C back to back (the order
// rotated every round — ABC, BCA, CAB — so no variant always runs first or
// last), and each round yields its own ratios B/A and B/C. The report is the
// median of those per-round ratios with their spread (min–max over rounds):
// drift between rounds cancels out of each ratio, and the spread says how far
// a reader can trust the median. Verdicts: "ok" when every round is within
// the target, "unclear" when the median is but some round is not, "missed?"
// when the median is not but some round is, "MISSED" when no round is.
// Targets (issue #18): at most 5% fewer requests/s on /db, 15% on /hello.
// Needs PostgreSQL (DATABASE_URL, else postgres://127.0.0.1:5432/test).
// Usage: node scripts/bench-http.mjs [--runtimes=node24,deno,bun] [--seconds=2] [--rounds=7]
import { spawn } from "node:child_process";
import autocannon from "autocannon";
import { root, runtimes } from "./lib/runtimes.mjs";

const arg = (name, fallback) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const legs = arg("runtimes", "node24,deno,bun").split(",");
const seconds = Number(arg("seconds", "2"));
const rounds = Number(arg("rounds", "7"));
if (!(seconds > 0)) throw new RangeError(`Cannot run the bench as '--seconds' must be > 0: received ${seconds}`);
if (!(Number.isInteger(rounds) && rounds >= 1)) {
  throw new RangeError(`Cannot run the bench as '--rounds' must be an integer >= 1: received ${rounds}`);
}
const TARGETS = { "/hello": 15, "/db": 5 };
const CONNECTIONS = 32;
const bins = runtimes();
const server = "apps/api/bench/server.ts";
const commands = {
  node20: [bins.node20, ["--experimental-strip-types", "--conditions=@corral/source", "--no-warnings", server]],
  node24: [bins.node24, ["--conditions=@corral/source", "--no-warnings", server]],
  deno: [bins.deno, ["run", "-A", "--unstable-no-legacy-abort", server]],
  bun: [bins.bun, ["--conditions=@corral/source", server]],
};

/** Starts the server on `leg`; resolves with its process and three ports. */
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

/** Requests per second over `duration` s against `url` (2xx only; anything else fails the bench). */
async function measure(url, duration = seconds) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  }
  // The total over the measured time, not the mean of 1-s samples (a short run has one or two).
  return result.requests.total / result.duration;
}

/** The median of `xs` (the mean of the middle two for an even count). */
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Per-round measurements of the variants of `ports` on `path`, each round in a rotated order. */
async function rounds_(ports, path) {
  const variants = Object.keys(ports);
  for (const v of variants) await measure(`http://127.0.0.1:${ports[v]}${path}`, 1); // warm-up (JIT, pool)
  const out = [];
  for (let r = 0; r < rounds; r++) {
    const round = {};
    for (let i = 0; i < variants.length; i++) {
      const v = variants[(r + i) % variants.length];
      round[v] = await measure(`http://127.0.0.1:${ports[v]}${path}`);
    }
    out.push(round);
  }
  return out;
}

const fmt = (x, digits = 3) => x.toFixed(digits);
const rows = [];
let missed = 0;
let unclear = 0;
console.log(
  `\n# HTTP: plain Hono (A) vs @corral/hono (B) vs a no-op async middleware (C), autocannon ${CONNECTIONS} ` +
    `connections, ${rounds} rounds × ${seconds} s per variant, order rotated each round; medians of per-round ratios`,
);
for (const leg of legs) {
  if (!commands[leg]) throw new Error(`unknown runtime ${leg} (known: ${Object.keys(commands).join(", ")})`);
  const { proc, plain, scoped, noop } = await start(leg);
  try {
    for (const path of Object.keys(TARGETS)) {
      const measured = await rounds_({ plain, scoped, noop }, path);
      const vsPlain = measured.map((m) => m.scoped / m.plain);
      const vsNoop = measured.map((m) => m.scoped / m.noop);
      const ratio = median(vsPlain);
      const floor = 1 - TARGETS[path] / 100;
      const within = vsPlain.filter((x) => x >= floor).length;
      const verdict = ratio >= floor ? (within === rounds ? "ok" : "unclear") : (within === 0 ? "MISSED" : "missed?");
      if (verdict === "MISSED" || verdict === "missed?") missed++;
      if (verdict === "unclear" || verdict === "missed?") unclear++;
      const row = {
        runtime: leg,
        route: path,
        "A req/s": fmt(median(measured.map((m) => m.plain)), 0),
        "B req/s": fmt(median(measured.map((m) => m.scoped)), 0),
        "C req/s": fmt(median(measured.map((m) => m.noop)), 0),
        "B/A median [min–max]": `${fmt(ratio)} [${fmt(Math.min(...vsPlain))}–${fmt(Math.max(...vsPlain))}]`,
        "fewer (target)": `${fmt((1 - ratio) * 100, 1)}% (≤ ${TARGETS[path]}%)`,
        verdict,
        "B/C median [min–max]": `${fmt(median(vsNoop))} [${fmt(Math.min(...vsNoop))}–${fmt(Math.max(...vsNoop))}]`,
      };
      rows.push(row);
      console.log(`${leg} ${path}: ${Object.entries(row).slice(2).map(([k, v]) => `${k} ${v}`).join(" · ")}`);
    }
  } finally {
    proc.kill("SIGTERM");
    await new Promise((resolve) => proc.exitCode !== null ? resolve() : proc.once("exit", resolve));
  }
}

// The table, in markdown, for a README or a report.
const head = Object.keys(rows[0] ?? {});
console.log(`\n| ${head.join(" | ")} |\n| ${head.map(() => "---").join(" | ")} |`);
for (const row of rows) console.log(`| ${head.map((k) => row[k]).join(" | ")} |`);
console.log(
  "\nA: plain Hono · B: with @corral/hono · C: with a no-op async middleware. req/s: medians over the rounds. " +
    "verdict: ok (every round within the target), unclear (the median within, some round not), " +
    "missed? (the median outside, some round within), MISSED (every round outside).",
);
if (missed) console.log(`${missed} target(s) missed by the median`);
if (unclear) console.log(`${unclear} verdict(s) uncertain: the rounds straddle the target (rerun with more --rounds)`);
