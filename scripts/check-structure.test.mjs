// The structure checker's own test (node --test): a small clean tree must
// pass, each planted import cycle and oversized file must fail naming the
// planted file, the allow-lists must only shrink, and the last test runs the
// checker on this repository.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { checkStructure, codeLines, MAX_CODE_LINES } from "./check-structure.mjs";

const script = fileURLToPath(new URL("./check-structure.mjs", import.meta.url));
const repo = join(dirname(script), "..");

const manifest = (name) =>
  JSON.stringify({
    name,
    type: "module",
    exports: { ".": { types: "./dist/mod.d.ts", "@corral/source": "./src/mod.ts", default: "./dist/mod.js" } },
  });

/** `n` lines of code, each a statement. */
const code = (n, prefix = "v") => Array.from({ length: n }, (_, i) => `export const ${prefix}${i} = ${i};`).join("\n");

/** `n` lines that are not code: comments, a JSDoc block and blank lines. */
const noise = (n) =>
  Array.from({ length: n }, (_, i) => (i % 3 === 0 ? "// a comment" : i % 3 === 1 ? "" : "/** doc */")).join("\n");

/** A clean tree: imports in every form, none closing a cycle, and files at the size limit. */
const CLEAN = {
  "packages/core/package.json": manifest("@corral/core"),
  "packages/core/src/mod.ts": 'export * from "./scope.ts";\nexport { type Clock, now } from "./base/clock.ts";\n',
  "packages/core/src/scope.ts": `import { now } from "./base/clock.ts";
import type { Clock } from "./base/clock.ts";
export const deadline = (clock: Clock): number => now() + clock.ms;
export const later = (): Promise<unknown> => import("./base/clock.ts");
`,
  "packages/core/src/base/clock.ts":
    "export interface Clock {\n  ms: number;\n}\nexport const now = (): number => 0;\n",
  "packages/core/src/scope.test.ts": 'import { deadline } from "@corral/core";\nimport "./scope.ts";\nvoid deadline;\n',
  "packages/node/package.json": manifest("@corral/node"),
  "packages/node/src/mod.ts": 'export * from "@corral/core";\nexport { run } from "./run.ts";\n',
  "packages/node/src/run.ts": 'import { now } from "@corral/core";\nexport const run = (): number => now();\n',
  // exactly at the limit, with as many lines again of comments and blank lines
  "packages/node/src/big.ts": `${noise(300)}\n${code(MAX_CODE_LINES)}\n${noise(300)}\n`,
  "packages/node/test/big.test.ts": `${code(MAX_CODE_LINES)}\n`,
  "apps/worker/package.json": JSON.stringify({ name: "@corral-apps/worker", private: true }),
  "apps/worker/src/worker.ts": 'import { run } from "@corral/node";\nexport const worker = () => run();\n',
  "apps/worker/node/main.ts": 'import { worker } from "../src/worker.ts";\nworker();\n',
};

const dirs = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Writes the clean tree with `changes` applied (a file's text, or null to delete it); returns its root. */
function tree(changes = {}) {
  const root = mkdtempSync(join(tmpdir(), "corral-structure-"));
  dirs.push(root);
  for (const [path, text] of Object.entries({ ...CLEAN, ...changes })) {
    if (text === null) continue;
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const NONE = { allowedCycles: [], allowedSizes: [] };

test("a clean tree passes", () => {
  const result = checkStructure(tree(), NONE);
  assert.deepEqual(result.problems, []);
  assert.deepEqual(result.cycles, []);
  assert.deepEqual(result.sizes, {});
  assert.equal(result.files, 10);
});

test("lines of code leave out comments, JSDoc and blank lines, and count every line a template spans", () => {
  const text = `/**
 * A doc comment, with an example:
 * \`\`\`ts
 * const x = 1;
 * \`\`\`
 */

// a line comment
export const a = 1; // trailing comment
/* a block
   comment */ export const b = \`one
two

three\`;
export function f(
  x: number, // a parameter
): number {
  return x / 2 / 1; /* division, not a regex */
}
`;
  assert.equal(codeLines("x.ts", text), 10);
  assert.equal(codeLines("x.ts", "\n\n// only comments\n/* and more */\n"), 0);
});

/** [kind, planted files, the file the problem must start with, what it must say] */
const PLANTS = [
  [
    "two files import each other",
    {
      "packages/core/src/base/clock.ts":
        'import { deadline } from "../scope.ts";\nexport const now = () => deadline;\n',
    },
    "packages/core/src/base/clock.ts",
    /import cycle between 2 file\(s\)[\s\S]*base\/clock\.ts:1 → packages\/core\/src\/scope\.ts/,
  ],
  [
    "a cycle closed by a type-only import",
    { "packages/core/src/base/clock.ts": 'import type { Later } from "../scope.ts";\nexport type Clock = Later;\n' },
    "packages/core/src/base/clock.ts",
    /import cycle between 2 file\(s\)/,
  ],
  [
    "a cycle closed by a type-only re-export",
    { "packages/core/src/base/clock.ts": 'export type { Later } from "../scope.ts";\n' },
    "packages/core/src/base/clock.ts",
    /import cycle/,
  ],
  [
    "a cycle closed by an import() type",
    { "packages/core/src/base/clock.ts": 'export type Clock = typeof import("../scope.ts");\n' },
    "packages/core/src/base/clock.ts",
    /import cycle/,
  ],
  [
    "a cycle closed by a dynamic import",
    {
      "packages/core/src/base/clock.ts":
        'export const load = () => import("../mod.ts");\nexport const now = () => 0;\n',
    },
    "packages/core/src/base/clock.ts",
    /import cycle between 3 file\(s\)/,
  ],
  [
    "a cycle between packages, through their names",
    { "packages/core/src/scope.ts": 'import { run } from "@corral/node";\nexport const deadline = run;\n' },
    "packages/core/src/mod.ts",
    /import cycle between 4 file\(s\)[\s\S]*node\/src\/mod\.ts:1 → packages\/core\/src\/mod\.ts/,
  ],
  [
    "a file imports itself",
    { "packages/node/src/run.ts": 'import * as self from "./run.ts";\nexport const run = () => self;\n' },
    "packages/node/src/run.ts",
    /import cycle between 1 file\(s\)/,
  ],
  [
    "a cycle between tests",
    {
      "packages/node/test/a.test.ts": 'import "./b.ts";\n',
      "packages/node/test/b.ts": 'import "./c.ts";\n',
      "packages/node/test/c.ts": 'import "./b.ts";\n',
    },
    "packages/node/test/b.ts",
    /import cycle between 2 file\(s\)/,
  ],
  [
    "a cycle in an app",
    { "apps/worker/src/worker.ts": 'import "../node/main.ts";\nexport const worker = () => 0;\n' },
    "apps/worker/node/main.ts",
    /import cycle between 2 file\(s\)/,
  ],
  [
    "a cycle through an app's package name",
    {
      "apps/worker/package.json": JSON.stringify({ name: "@corral-apps/worker", exports: "./src/worker.ts" }),
      "apps/worker/src/helper.ts": 'import { worker } from "@corral-apps/worker";\nexport const h = worker;\n',
      "apps/worker/src/worker.ts": 'import { h } from "./helper.ts";\nexport const worker = () => h;\n',
    },
    "apps/worker/src/helper.ts",
    /import cycle between 2 file\(s\)/,
  ],
  [
    "a shipped file over the limit",
    { "packages/node/src/big.ts": `${noise(30)}\n${code(MAX_CODE_LINES + 1)}\n` },
    "packages/node/src/big.ts",
    /401 lines of code, over 400/,
  ],
  [
    "a test over the limit",
    { "packages/node/test/big.test.ts": `${code(MAX_CODE_LINES)}\nexport const extra = [\n  1,\n];\n` },
    "packages/node/test/big.test.ts",
    /403 lines of code, over 400/,
  ],
  [
    "an app file over the limit",
    { "apps/worker/deno/main.js": code(450) },
    "apps/worker/deno/main.js",
    /450 lines of code/,
  ],
];

describe("each planted violation fails, naming the planted file", () => {
  for (const [kind, files, first, why] of PLANTS) {
    test(kind, () => {
      const { problems } = checkStructure(tree(files), NONE);
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.ok(problems[0].startsWith(`${first}: `), problems[0]);
      assert.match(problems[0], why);
    });
  }
});

describe("the allow-lists name exact offenders and only shrink", () => {
  const cycle = { "packages/core/src/base/clock.ts": 'import "../scope.ts";\nexport const now = () => 0;\n' };
  const pair = ["packages/core/src/base/clock.ts", "packages/core/src/scope.ts"];

  test("an allowed cycle passes, and so does a smaller one inside it", () => {
    assert.deepEqual(checkStructure(tree(cycle), { ...NONE, allowedCycles: [pair] }).problems, []);
    const wider = [...pair, "packages/core/src/mod.ts"];
    assert.deepEqual(checkStructure(tree(cycle), { ...NONE, allowedCycles: [wider] }).problems, []);
  });

  test("a cycle that reaches a file outside its entry fails", () => {
    const grown = {
      "packages/core/src/base/clock.ts": 'import "../mod.ts";\nexport const now = () => 0;\n',
    };
    const { problems } = checkStructure(tree(grown), { ...NONE, allowedCycles: [pair] });
    assert.ok(
      problems.some((p) => /^packages\/core\/src\/base\/clock\.ts: an import cycle between 3/.test(p)),
      problems,
    );
  });

  test("an allowed cycle that no longer exists fails, asking to remove it", () => {
    const { problems } = checkStructure(tree(), { ...NONE, allowedCycles: [pair] });
    assert.equal(problems.length, 1);
    assert.match(problems[0], /no longer exists: remove it from ALLOWED_CYCLES/);
  });

  test("an allowed oversized file passes; once it is small, its entry fails", () => {
    const big = { "packages/node/src/big.ts": code(MAX_CODE_LINES + 50) };
    const allow = { ...NONE, allowedSizes: ["packages/node/src/big.ts"] };
    assert.deepEqual(checkStructure(tree(big), allow).problems, []);
    const { problems } = checkStructure(tree(), allow);
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^packages\/node\/src\/big\.ts: .*no longer does.*remove it from ALLOWED_SIZES/);
  });

  test("an entry is a path, not a pattern", () => {
    const big = { "packages/node/src/big.ts": code(MAX_CODE_LINES + 1) };
    const { problems } = checkStructure(tree(big), { ...NONE, allowedSizes: ["packages/node/src/"] });
    assert.equal(problems.length, 2, problems.join("\n"));
  });
});

test("the command exits 1 listing the problems", () => {
  // The command uses the repository's allow-lists; a planted tree has none of their files.
  const dirty = spawnSync(process.execPath, [script, tree({ "packages/node/src/big.ts": code(401) })], {
    encoding: "utf8",
  });
  assert.equal(dirty.status, 1);
  assert.match(dirty.stderr, /check-structure: \d+ problem\(s\)\n {2}/);
  assert.match(dirty.stderr, /packages\/node\/src\/big\.ts: 401 lines of code/);
});

test("this repository has no import cycle and no oversized file beyond the allow-lists", () => {
  const { problems, files } = checkStructure(repo);
  assert.deepEqual(problems, []);
  assert.ok(files > 100, `found only ${files} files`);
  const command = spawnSync(process.execPath, [script], { encoding: "utf8" });
  assert.equal(command.status, 0, command.stderr);
  assert.match(command.stdout, /^check-structure: \d+ files/);
});
