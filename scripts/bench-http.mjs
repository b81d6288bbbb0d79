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
// median of those per-round ratios with their spread (quartiles over rounds):
// drift between rounds cancels out of each ratio, and the spread says how far
// a reader can trust the median: its middle half (q1–q3) is printed. Verdicts:
// "ok" when q1 is within the target (three rounds in four are), "MISSED" when
// q3 is not (three in four are outside), else "unclear" (the median within)
// or "missed?" (the median outside): the rounds straddle it.
// Targets (issue #18): at most 5% fewer requests/s on /db, 15% on /hello.
// Needs PostgreSQL (DATABASE_URL, else postgres://127.0.0.1:5432/test).
// Usage: node scripts/bench-http.mjs [--runtimes=node24,deno,bun] [--seconds=2] [--rounds=7]
import { spawn } from "node:child_process";
import autocannon from "autocannon";
import { root, runtimes } from "./lib/runtimes.mjs";

const fmt = (x, digits = 3) => x.toFixed(digits);

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

/** The `q` quantile of `xs` (0.5: the median), interpolated between the two nearest ranks. */
function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (at - lo);
}
const median = (xs) => quantile(xs, 0.5);
/** "median [q1–q3]": the middle and the middle half of the per-round ratios. */
const spread = (xs) => `${fmt(median(xs))} [${fmt(quantile(xs, 0.25))}–${fmt(quantile(xs, 0.75))}]`;

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
      // Judged on the middle half of the rounds, so one disturbed round does not decide it.
      const [q1, q3] = [quantile(vsPlain, 0.25), quantile(vsPlain, 0.75)];
      const verdict = q1 >= floor ? "ok" : q3 < floor ? "MISSED" : ratio >= floor ? "unclear" : "missed?";
      if (verdict === "MISSED" || verdict === "missed?") missed++;
      if (verdict === "unclear" || verdict === "missed?") unclear++;
      const row = {
        runtime: leg,
        route: path,
        "A req/s": fmt(median(measured.map((m) => m.plain)), 0),
        "B req/s": fmt(median(measured.map((m) => m.scoped)), 0),
        "C req/s": fmt(median(measured.map((m) => m.noop)), 0),
        "B/A median [q1–q3]": spread(vsPlain),
        "fewer (target)": `${fmt((1 - ratio) * 100, 1)}% (≤ ${TARGETS[path]}%)`,
        verdict,
        "B/C median [q1–q3]": spread(vsNoop),
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
    "[q1–q3]: the middle half of the per-round ratios. verdict: ok (q1 within the target), MISSED (q3 outside), " +
    "else unclear (the median within) or missed? (the median outside).",
);
if (missed) console.log(`${missed} target(s) missed by the median`);
if (unclear) console.log(`${unclear} verdict(s) uncertain: the rounds straddle the target (rerun with more --rounds)`);
