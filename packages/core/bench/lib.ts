// deno-lint-ignore-file no-explicit-any -- runtime probing of Bun/Deno/process globals
// The benchmark harness: corral and its peers in the same process, measured
// round-robin so that machine noise hits every contender alike. Each
// contender's figure is the median of its rounds; ratios are against the
// baseline row of the same run. Never part of the tests.

/** One contender: `run(n)` performs `n` operations (sync or async). */
export interface Contender {
  name: string;
  run: (n: number) => void | Promise<void>;
}

export interface CompareOptions {
  /** Operations per round (default 10,000). */
  ops?: number;
  /** Timed rounds per contender (default 9); one extra untimed warm-up round runs first. */
  rounds?: number;
  /** Name of the row the ratios are taken against (default: the first). */
  baseline?: string;
  /** What one operation is, for the table header (default "op"). */
  unit?: string;
}

export interface Row {
  name: string;
  /** Median nanoseconds per operation. */
  ns: number;
  /** ns / baseline ns. */
  ratio: number;
}

/** The runtime the bench is running on, e.g. "node 24.9.0". */
export function runtimeName(): string {
  const g = globalThis as Record<string, any>;
  if (g.Bun) return `bun ${g.Bun.version}`;
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  return `node ${g.process?.versions?.node}`;
}

/**
 * True when the harness forces a full GC before every round: node/deno run
 * with --expose-gc, and bun, unless the driver ran with --no-forced-gc
 * (which sets CORRAL_BENCH_NO_GC=1; V8 then collects when it likes, as in
 * a user's program).
 */
export function forcedGc(): boolean {
  const g = globalThis as Record<string, any>;
  const env = g.Deno ? g.Deno.env.get("CORRAL_BENCH_NO_GC") : g.process?.env?.CORRAL_BENCH_NO_GC;
  if (env === "1") return false;
  return typeof g.gc === "function" || g.Bun !== undefined;
}
const forced = forcedGc();

/** Forces a full GC where the runtime lets us (see {@linkcode forcedGc}). */
export function gc(): void {
  if (!forced) return;
  const g = globalThis as Record<string, any>;
  if (typeof g.gc === "function") g.gc();
  else if (g.Bun) g.Bun.gc(true);
}

/** Heap in use, in bytes, after a GC. */
export function heapUsed(): number {
  gc();
  const g = globalThis as Record<string, any>;
  if (g.Deno) return g.Deno.memoryUsage().heapUsed;
  return g.process.memoryUsage().heapUsed;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function format(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(0)} ns`;
}

/**
 * Measures every contender and prints one table: median time per
 * operation and the ratio to the baseline. Returns the rows so a bench can
 * print its own verdict line ("target: within 2x of …").
 */
export async function compare(title: string, contenders: Contender[], options: CompareOptions = {}): Promise<Row[]> {
  const ops = options.ops ?? 10_000;
  const rounds = options.rounds ?? 9;
  const samples = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let round = -1; round < rounds; round++) {
    for (const c of contenders) {
      // A full GC first, so one contender's garbage is not collected on
      // another's time.
      gc();
      const start = performance.now();
      await c.run(ops);
      const elapsed = performance.now() - start;
      if (round >= 0) samples.get(c.name)!.push((elapsed * 1e6) / ops);
    }
  }
  const base = options.baseline ?? contenders[0]!.name;
  const baseNs = median(samples.get(base)!);
  const rows = contenders.map((c) => {
    const ns = median(samples.get(c.name)!);
    return { name: c.name, ns, ratio: ns / baseNs };
  });
  const unit = options.unit ?? "op";
  console.log(`\n## ${title} — ${runtimeName()} (${ops} ${unit}s × ${rounds} rounds, median)`);
  console.log(`| contender | per ${unit} | × ${base} |`);
  console.log(`| --- | ---: | ---: |`);
  for (const r of rows) console.log(`| ${r.name} | ${format(r.ns)} | ${r.ratio.toFixed(2)} |`);
  return rows;
}

/** Prints a pass/miss line for a target, e.g. verdict("corral ≤ 2× token", ratio <= 2). */
export function verdict(target: string, met: boolean, detail = ""): void {
  console.log(`${met ? "MET " : "MISS"}  ${target}${detail ? ` (${detail})` : ""}`);
}
