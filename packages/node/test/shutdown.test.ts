// The shared shutdown checks (@corral/conformance's checkShutdown) on the
// Node that runs this vitest leg (Node 20 or 24). Node 20 cannot run .ts, so
// beforeAll bundles the entry (adapter source and all) into one .mjs.
import { afterAll, beforeAll, test } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { checkShutdown } from "@corral/conformance";

const entry = fileURLToPath(new URL("./fixtures/shutdown.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "corral-node-shutdown-"));
const bundle = join(dir, "shutdown.mjs");
const options = { bundle: true, format: "esm", platform: "node", target: "node20", logLevel: "warning" } as const;
beforeAll(() => build({ ...options, entryPoints: [entry], conditions: ["@corral/source"], outfile: bundle }), 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

checkShutdown({
  test: (name, fn) => test(name, fn, 60_000),
  runtime: `Node ${process.versions.node}`,
  spawn(scenario) {
    const child = spawn(process.execPath, [bundle, scenario], { stdio: ["ignore", "pipe", "pipe"] });
    return {
      stdout: child.stdout.setEncoding("utf8"),
      stderr: child.stderr.setEncoding("utf8"),
      kill: (signal) => void child.kill(signal),
      exit: new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal }))),
    };
  },
});
