// The layering checker's own test (node --test): a small clean tree must
// pass, and each kind of violation, planted into a copy of it, must fail
// naming the planted file. The last test runs the checker on this repository.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { checkLayers } from "./check-layers.mjs";

const script = fileURLToPath(new URL("./check-layers.mjs", import.meta.url));
const repo = join(dirname(script), "..");

const manifest = (name) =>
  JSON.stringify({
    name,
    type: "module",
    exports: { ".": { types: "./dist/mod.d.ts", "@corral/source": "./src/mod.ts", default: "./dist/mod.js" } },
  });

/** A clean tree: every role, the allowed imports of each, and apps in two layouts. */
const CLEAN = {
  "vitest.config.ts": "export default {};\n",
  "packages/core/package.json": manifest("@corral/core"),
  "packages/core/src/mod.ts": `/**
 * @example
 * \`\`\`ts
 * import { run } from "@corral/node"; // a doc example is not an import
 * \`\`\`
 */
// import { x } from "@corral/node"; neither is a comment
export * from "./scope.ts";
export { installRuntime } from "./runtime.ts";
export { TaskGroup } from "./tasks/task-group.ts";
`,
  "packages/core/src/runtime.ts": "export function installRuntime(hooks: unknown): void {\n  void hooks;\n}\n",
  "packages/core/src/scope.ts": `export type Listener = EventListener;
export class PoolEvent extends Event {}
const Suppressed = (globalThis as { SuppressedError?: unknown }).SuppressedError ?? Error;
export function deadline(ms: number): AbortSignal {
  const controller = new AbortController();
  const started = performance.now();
  const id = setTimeout(() => controller.abort(), ms);
  queueMicrotask(() => clearTimeout(id));
  const target = new EventTarget();
  const process = { started, target, Suppressed }; // a local may be called anything
  void process;
  return controller.signal;
}
export const parse = (text: string): unknown => JSON.parse(text) ?? Promise.resolve(new Map());
`,
  // One folder per concept above base/: internals may use base/, their own
  // concept's public modules and other concepts' internals.
  "packages/core/src/base/clock.ts": 'import { installRuntime } from "./runtime.ts";\n' +
    "export const now = (): number => (void installRuntime, performance.now());\n",
  "packages/core/src/base/runtime.ts": "export const installRuntime = (): void => {};\n",
  "packages/core/src/cancellation/internal/cancel-node.ts":
    'import { now } from "../../base/clock.ts";\nexport class CancelNode {\n  at = now();\n}\n',
  "packages/core/src/tasks/task.ts": "export class Task {}\n",
  "packages/core/src/tasks/task-group.ts": `import { GroupCore } from "./internal/group-core.ts";
import { now } from "../base/clock.ts";
export class TaskGroup extends GroupCore {
  at = now();
}
`,
  "packages/core/src/tasks/internal/group-core.ts":
    `import { CancelNode } from "../../cancellation/internal/cancel-node.ts";
import type { Task } from "../task.ts";
import { now } from "../../base/clock.ts";
export class GroupCore {
  node = new CancelNode();
  tasks: Task[] = [];
  at = now();
}
`,
  "packages/core/src/tasks/internal/group-core.test.ts":
    'import { test } from "vitest";\nimport { sleep } from "../../mod.ts";\ntest("x", () => void sleep);\n',
  "packages/core/src/scope.test.ts": `import { test } from "vitest";
import { AsyncLocalStorage } from "node:async_hooks";
import { deadline } from "@corral/core";
test("x", () => void [deadline, AsyncLocalStorage, process.env]);
`,
  "packages/core/bench/lib.ts": "export const compare = (): void => {};\n",
  "packages/conformance/package.json": manifest("@corral/conformance"),
  "packages/conformance/src/mod.ts": `import type * as Core from "@corral/core";
import { type Listener } from "@corral/core";
import { ok } from "./assert.ts";
const g = globalThis as { DisposableStack?: unknown };
export function conformance(corral: typeof Core, l?: Listener): number {
  ok(corral !== undefined && g !== undefined);
  console.log(new DOMException("m", "AbortError"), l);
  return 1;
}
`,
  "packages/conformance/src/assert.ts": "export function ok(c: unknown): void {\n  if (!c) throw new Error();\n}\n",
  "packages/node/package.json": manifest("@corral/node"),
  "packages/node/src/mod.ts": `import { installRuntime } from "@corral/core";
import { AsyncLocalStorage } from "node:async_hooks";
installRuntime({ context: new AsyncLocalStorage() });
export * from "@corral/core";
export { run } from "./run.ts";
`,
  "packages/node/src/run.ts": "export function run(): number {\n  return process.exitCode ?? 0;\n}\n",
  "packages/node/test/conformance.test.ts": `import { test } from "vitest";
import { conformance } from "@corral/conformance";
import * as corral from "../src/mod.ts";
import * as same from "@corral/node";
conformance({ test, corral, same });
`,
  "packages/node/bench/pool.bench.ts": 'import { compare } from "../../core/bench/lib.ts";\ncompare();\n',
  "packages/bun/package.json": manifest("@corral/bun"),
  "packages/bun/src/mod.ts": `import { installRuntime } from "@corral/core";
import { Database } from "bun:sqlite";
installRuntime({ Database, version: Bun.version });
export * from "@corral/core";
`,
  "packages/postgres/package.json": manifest("@corral/postgres"),
  "packages/postgres/src/mod.ts": `import { createPool } from "@corral/core";
import postgres from "postgres";
import { userInfo } from "node:os";
export const make = () => [createPool, postgres, userInfo];
`,
  "packages/postgres/test/node/driver.test.ts": `import { test } from "vitest";
import * as corral from "@corral/node";
import { checkDriver } from "@corral/conformance";
import { make } from "@corral/postgres";
import config from "../../../../vitest.config.ts";
checkDriver({ test, corral }, { make, config });
`,
  "packages/redis/package.json": manifest("@corral/redis"),
  "packages/redis/src/mod.ts": 'import { createPool } from "@corral/core";\nimport { createClient } from "redis";\n' +
    "export const make = () => [createPool, createClient];\n",
  "packages/otel/package.json": manifest("@corral/otel"),
  "packages/otel/src/mod.ts":
    'import { diagnostics } from "@corral/core";\nimport { metrics } from "@opentelemetry/api";\n' +
    "export const meter = () => [diagnostics, metrics];\n",
  "apps/worker/package.json": JSON.stringify({ name: "@corral-apps/worker", private: true }),
  "apps/worker/src/worker.ts": `import { createPostgresPool } from "@corral/postgres";
import { createRedisPool } from "@corral/redis";
import { sleep } from "@corral/core";
export const worker = () => [createPostgresPool, createRedisPool, sleep];
`,
  "apps/worker/node/main.ts": 'import { run } from "@corral/node";\nimport { worker } from "../src/worker.ts";\n' +
    "await run(worker);\n",
  "apps/node-worker/package.json": JSON.stringify({ name: "@corral-apps/node-worker", private: true }),
  "apps/node-worker/src/main.ts":
    'import { run } from "@corral/node";\nimport { worker } from "../../worker/src/worker.ts";\n' +
    "await run(worker);\n",
  "apps/e2e/test/e2e.test.ts": 'import { test } from "vitest";\nimport config from "../../../vitest.config.ts";\n' +
    'import * as corral from "@corral/node";\ntest("e2e", () => void [config, corral]);\n',
};

const dirs = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Writes the clean tree with `changes` applied (a file's text, or null to delete it); returns its root. */
function tree(changes = {}) {
  const root = mkdtempSync(join(tmpdir(), "corral-layers-"));
  dirs.push(root);
  for (const [path, text] of Object.entries({ ...CLEAN, ...changes })) {
    if (text === null) continue;
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

test("a clean tree passes, with every package's role found on disk", () => {
  const result = checkLayers(tree());
  assert.deepEqual(result.problems, []);
  assert.deepEqual(
    Object.fromEntries(result.packages.map((p) => [p.name, p.role])),
    {
      "@corral/bun": "adapter",
      "@corral/conformance": "conformance",
      "@corral/core": "core",
      "@corral/node": "adapter",
      "@corral/otel": "driver",
      "@corral/postgres": "driver",
      "@corral/redis": "driver",
    },
  );
  assert.equal(result.apps, 4);
});

/** [kind, planted file, its text, what the problem must say] */
const PLANTS = [
  // the core
  [
    "core imports an adapter",
    "packages/core/src/bad.ts",
    'import { run } from "@corral/node";\n',
    /imports no other package/,
  ],
  [
    "core imports a type from a driver",
    "packages/core/src/bad.ts",
    'import type { X } from "@corral/postgres";\n',
    /imports no other package/,
  ],
  ["core imports a runtime module", "packages/core/src/bad.ts", 'import "node:async_hooks";\n', /no runtime module/],
  ["core requires a module", "packages/core/src/bad.ts", 'const m = require("events");\n', /no runtime module/],
  ["core imports an npm package", "packages/core/src/bad.ts", 'import pLimit from "p-limit";\n', /no runtime module/],
  [
    "core imports a file of another package",
    "packages/core/src/bad.ts",
    'import "../../node/src/run.ts";\n',
    /only its own package's files/,
  ],
  ["core uses process", "packages/core/src/bad.ts", "export const env = process.env;\n", /runtime global process/],
  ["core uses Deno", "packages/core/src/bad.ts", "export const v = Deno.version;\n", /runtime global Deno/],
  ["core tests for Bun", "packages/core/src/bad.ts", 'export const b = typeof Bun !== "undefined";\n', /global Bun/],
  [
    "core reaches Deno through globalThis",
    "packages/core/src/bad.ts",
    "export const d = (globalThis as unknown as { Deno: unknown }).Deno;\n",
    /runtime global Deno/,
  ],
  [
    "core names process in a globalThis cast",
    "packages/core/src/bad.ts",
    "const g = globalThis as { process?: unknown };\nexport const p = g;\n",
    /runtime global process/,
  ],
  [
    "core aliases globalThis",
    "packages/core/src/bad.ts",
    "const g: any = globalThis;\nexport const d = g.Deno;\n",
    /globalThis other than/,
  ],
  ["core uses a DOM global", "packages/core/src/bad.ts", "export const w = window.location;\n", /global window/],
  ["core uses fetch", "packages/core/src/bad.ts", 'export const f = () => fetch("x");\n', /global fetch/],
  [
    "core uses setImmediate",
    "packages/core/src/bad.ts",
    "export const f = () => setImmediate(() => {});\n",
    /setImmediate/,
  ],
  ["core uses console", "packages/core/src/bad.ts", 'export const f = () => console.log("x");\n', /global console/],
  [
    "core uses performance beyond now",
    "packages/core/src/bad.ts",
    'export const f = () => performance.mark("x");\n',
    /performance other than as performance.now/,
  ],
  [
    "core passes a host global in shorthand",
    "packages/core/src/bad.ts",
    "export const hooks = { structuredClone };\n",
    /global structuredClone/,
  ],
  [
    "core declares globals",
    "packages/core/src/bad.ts",
    "declare global {\n  var Deno: unknown;\n}\nexport {};\n",
    /declare global/,
  ],
  // inside the core: base/ beneath the concepts, internals never up into another concept's public module
  [
    "core's base/ imports a concept's public module",
    "packages/core/src/base/bad.ts",
    'import { TaskGroup } from "../tasks/task-group.ts";\n',
    /base\/ is the shared ground beneath the concepts: it imports no concept \(tasks\/\)/,
  ],
  [
    "core's base/ imports a type from a concept's internals",
    "packages/core/src/base/bad.ts",
    'import type { CancelNode } from "../cancellation/internal/cancel-node.ts";\n',
    /imports no concept \(cancellation\/\)/,
  ],
  [
    "core's base/ imports mod.ts",
    "packages/core/src/base/bad.ts",
    'export type { TaskGroup } from "../mod.ts";\n',
    /imports no concept and not mod\.ts/,
  ],
  [
    "a concept's internals import another concept's public module",
    "packages/core/src/tasks/internal/bad.ts",
    'import { ExitStack } from "../../cleanup/exit-stack.ts";\n',
    /tasks\/internal\/ imports cleanup\/'s public module/,
  ],
  [
    "a concept's internals import a type from another concept's public module",
    "packages/core/src/cancellation/internal/bad.ts",
    'import type { Task } from "../../tasks/task.ts";\n',
    /cancellation\/internal\/ imports tasks\/'s public module/,
  ],
  [
    "a concept's internals import mod.ts",
    "packages/core/src/pool/internal/bad.ts",
    'import { sleep } from "../../mod.ts";\n',
    /a concept's internals never import mod\.ts/,
  ],
  // the conformance suite
  [
    "conformance imports an adapter",
    "packages/conformance/src/bad.ts",
    'import * as corral from "@corral/node";\n',
    /conformance suite imports only @corral\/core/,
  ],
  ["conformance imports a runner", "packages/conformance/src/bad.ts", 'import { test } from "vitest";\n', /no runner/],
  [
    "conformance imports the core by value",
    "packages/conformance/src/bad.ts",
    'import { sleep } from "@corral/core";\n',
    /for types only/,
  ],
  [
    "conformance uses a runtime global",
    "packages/conformance/src/bad.ts",
    'Deno.test("x", () => {});\n',
    /conformance suite uses the runtime global Deno/,
  ],
  // adapters
  [
    "an adapter imports the conformance suite",
    "packages/node/src/bad.ts",
    'import { conformance } from "@corral/conformance";\n',
    /an adapter imports only @corral\/core.*is the conformance suite/,
  ],
  [
    "an adapter imports a driver",
    "packages/node/src/bad.ts",
    'import { make } from "@corral/postgres";\n',
    /an adapter imports only @corral\/core.*is a driver/,
  ],
  [
    "an adapter imports another adapter",
    "packages/node/src/bad.ts",
    'import * as bun from "@corral/bun";\n',
    /an adapter imports only @corral\/core.*is an adapter/,
  ],
  [
    "an adapter imports an npm package",
    "packages/node/src/bad.ts",
    'import pLimit from "p-limit";\n',
    /runtime's builtins/,
  ],
  [
    "an adapter's test imports a driver",
    "packages/node/test/bad.test.ts",
    'import { make } from "@corral/postgres";\n',
    /an adapter imports only/,
  ],
  [
    "an adapter imports itself by name",
    "packages/node/src/bad.ts",
    'import { run } from "@corral/node";\n',
    /does not import itself/,
  ],
  // drivers and integrations
  [
    "a driver imports an adapter",
    "packages/postgres/src/bad.ts",
    'import { run } from "@corral/node";\n',
    /drivers and integrations import only @corral\/core.*is an adapter/,
  ],
  [
    "a driver imports a type from an adapter",
    "packages/postgres/src/bad.ts",
    'import type { RuntimeInfo } from "@corral/node";\n',
    /drivers and integrations import only @corral\/core/,
  ],
  [
    "a driver imports another driver",
    "packages/postgres/src/bad.ts",
    'import { make } from "@corral/redis";\n',
    /drivers and integrations.*is a driver or integration/,
  ],
  [
    "an integration imports an adapter",
    "packages/otel/src/bad.ts",
    'import { run } from "@corral/bun";\n',
    /drivers and integrations.*is an adapter/,
  ],
  [
    "an integration imports a driver",
    "packages/otel/src/bad.ts",
    'import { make } from "@corral/postgres";\n',
    /drivers and integrations.*is a driver or integration/,
  ],
  [
    "a driver's test imports another driver",
    "packages/postgres/test/bad.test.ts",
    'import { make } from "@corral/redis";\n',
    /drivers and integrations/,
  ],
  [
    "a driver's test imports another driver's helper by path",
    "packages/postgres/test/bad.test.ts",
    'import "../../redis/test/support.ts";\n',
    /drivers and integrations/,
  ],
  // apps
  [
    "a package imports an app by name",
    "packages/postgres/test/bad.test.ts",
    'import { worker } from "@corral-apps/worker";\n',
    /nothing in packages\/ imports an app/,
  ],
  [
    "a package imports an app by path",
    "packages/node/test/bad.test.ts",
    'import { worker } from "../../../apps/worker/src/worker.ts";\n',
    /nothing in packages\/ imports an app/,
  ],
  [
    "an app imports a package by path",
    "apps/worker/src/bad.ts",
    'import { sleep } from "../../../packages/core/src/mod.ts";\n',
    /apps import packages by name/,
  ],
  // internals
  [
    "a driver imports the core's internal file by name",
    "packages/redis/src/bad.ts",
    'import { schedule } from "@corral/core/src/internal/scheduler.ts";\n',
    /reaches into @corral\/core's files/,
  ],
  [
    "an app imports the core's internal file by name",
    "apps/worker/src/bad.ts",
    'import { schedule } from "@corral/core/src/internal/scheduler.ts";\n',
    /reaches into @corral\/core's files/,
  ],
  [
    "a test imports another package's source by path",
    "packages/node/test/fixtures/bad.ts",
    'import { conformance } from "../../../conformance/src/mod.ts";\n',
    /reaches into @corral\/conformance's source by path/,
  ],
  [
    "shipped source imports another package's file by path",
    "packages/postgres/src/bad.ts",
    'import "../../core/bench/lib.ts";\n',
    /only its own package's files/,
  ],
  // everywhere
  ["a relative import without extension", "packages/redis/src/bad.ts", 'import "./mod";\n', /carry their extension/],
  ["a jsr: import", "apps/worker/src/bad.ts", 'import { assert } from "jsr:@std/assert";\n', /jsr: imports/],
];

describe("each planted violation fails, naming the planted file", () => {
  for (const [kind, file, text, why] of PLANTS) {
    test(kind, () => {
      const { problems } = checkLayers(tree({ [file]: text }));
      assert.ok(problems.length > 0, "no problem reported");
      assert.ok(problems.some((p) => why.test(p)), `no problem matches ${why}:\n${problems.join("\n")}`);
      for (const p of problems) assert.ok(p.startsWith(`${file}:`), `a problem outside the planted file: ${p}`);
    });
  }
});

test("the extension point for rules inside the core sees each import between core files", () => {
  const seen = [];
  const rule = (from, to) => {
    seen.push(`${from} -> ${to}`);
    return from.startsWith("internal/") && !to.startsWith("internal/")
      ? "internals import no public module"
      : undefined;
  };
  const root = tree({ "packages/core/src/internal/bad.ts": 'import { deadline } from "../scope.ts";\n' });
  const { problems } = checkLayers(root, { coreRules: [rule] });
  assert.ok(seen.includes("mod.ts -> scope.ts") && seen.includes("internal/bad.ts -> scope.ts"), seen.join(", "));
  assert.deepEqual(problems, [
    'packages/core/src/internal/bad.ts:1: imports "../scope.ts" — internals import no public module',
  ]);
});

test("the command exits 1 listing the problems, and 0 on a clean tree", () => {
  const dirty = spawnSync(
    process.execPath,
    [script, tree({ "packages/redis/src/bad.ts": 'import "@corral/node";\n' })],
    {
      encoding: "utf8",
    },
  );
  assert.equal(dirty.status, 1);
  assert.match(dirty.stderr, /1 problem\(s\)\n {2}packages\/redis\/src\/bad\.ts:1: imports "@corral\/node"/);
  const clean = spawnSync(process.execPath, [script, tree()], { encoding: "utf8" });
  assert.equal(clean.status, 0, clean.stderr);
  assert.match(clean.stdout, /layering holds/);
});

test("this repository holds the layering", () => {
  const { problems, packages } = checkLayers(repo);
  assert.deepEqual(problems, []);
  assert.ok(packages.length >= 7, `found only ${packages.map((p) => p.name)}`);
});
