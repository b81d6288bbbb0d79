// Prints the dead-peer figures (checkDriverFaults, cases DF-…) for both
// drivers on the runtime that runs it: per case and proxy mode, the longest
// call against its deadline, the recovery time after the heal, connections
// opened during the fault, close()'s duration, and what close() left (client
// sockets at the proxy, server sessions). A case still running after 20 s is
// reported as such and abandoned (the next case still runs; the process
// exits at the end). Give driver names as arguments to run only those.
//
//   node_modules/node24/bin/node --conditions=@corral/source scripts/fault-table.ts
//   node_modules/.bin/deno run -A scripts/fault-table.ts
//   node_modules/.bin/bun --conditions=@corral/source scripts/fault-table.ts
import * as corral from "@corral/core";
import { checkDriverFaults, type FaultFigures } from "@corral/conformance";
import { faultFactories as redis } from "../packages/redis/test/driver.ts";
import { closeAdmin, faultFactories as postgres } from "../packages/postgres/test/support.ts";

const CAP = 20_000;
const runtime = "Deno" in globalThis
  ? "deno"
  : "Bun" in globalThis
  ? "bun"
  : `node${process.versions.node.split(".")[0]}`;
const rows: string[] = [];
const ms = (n: number) => (Number.isNaN(n) ? "-" : n === Infinity ? ">10000" : String(Math.round(n)));

const g = globalThis as {
  Deno?: { args: string[]; exit(code: number): never };
  process?: { argv: string[]; exit(code: number): never };
};
const only = g.Deno ? g.Deno.args : g.process!.argv.slice(2);
for (const factories of [redis, postgres] as const) {
  if (only.length > 0 && !only.includes(factories.name)) continue;
  const cases: [string, () => Promise<void>][] = [];
  let last: FaultFigures | undefined;
  checkDriverFaults({ test: (name, fn) => void cases.push([name, fn]), corral }, {
    ...(factories as typeof redis),
    record: (figures) => void (last = figures),
  });
  for (const [name, fn] of cases) {
    last = undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      fn().then(() => "pass", (error: unknown) => `FAIL ${String((error as Error)?.message ?? error).slice(0, 90)}`),
      new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`still running after ${CAP} ms`), CAP))),
    ]);
    clearTimeout(timer);
    await closeAdmin();
    const id = name.slice(0, 5);
    const f = last as FaultFigures | undefined;
    rows.push(
      [
        runtime,
        factories.name,
        id,
        f?.mode ?? "",
        f ? `${ms(f.longest)}/${f.deadline}` : "",
        f ? ms(f.recovery) : "",
        f?.opened ?? "",
        f ? ms(f.closing) : "",
        f?.sockets ?? "",
        f?.sessions ?? "",
        outcome,
      ].join(" | "),
    );
    console.log(rows.at(-1));
  }
}
console.log(
  "\n| runtime | driver | case | mode | longest/deadline ms | recovery ms | opened | close ms | sockets | sessions | outcome |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|---|");
for (const row of rows) console.log(`| ${row} |`);
g.Deno ? g.Deno.exit(0) : g.process!.exit(0);
