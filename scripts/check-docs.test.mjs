// The documentation checker's own test (node --test): a small documented
// workspace passes; each planted gap in the public docs fails, naming its
// file, line and column; the allow-list only shrinks. The last test runs
// the checker on this repository.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { checkDocs, parseDocLint } from "./check-docs.mjs";

const script = fileURLToPath(new URL("./check-docs.mjs", import.meta.url));
const repo = join(dirname(script), "..");

const config = (name) => JSON.stringify({ name, version: "0.1.0", exports: "./src/mod.ts" });

/** Two packages in a Deno workspace; the second re-exports the first, as an adapter re-exports the core. */
const CLEAN = {
  "deno.json": JSON.stringify({ workspace: ["./packages/base", "./packages/adapter"] }),
  "packages/base/deno.json": config("@t/base"),
  "packages/base/src/mod.ts": `/**
 * A documented module.
 *
 * @module
 */
export { Counter, type CounterOptions } from "./counter.ts";
/** Adds one. */
export function inc(n: number): number {
  return n + 1;
}
`,
  "packages/base/src/counter.ts": `/** Options for {@linkcode Counter}. */
export interface CounterOptions {
  /** Where to start. */
  start?: number;
}
/** Counts. */
export class Counter {
  /** The count. */
  value: number;
  /** Starts counting. */
  constructor(options?: CounterOptions) {
    this.value = options?.start ?? 0;
  }
}
`,
  "packages/adapter/deno.json": config("@t/adapter"),
  "packages/adapter/src/mod.ts":
    '/** @module */\nexport * from "@t/base";\n/** The runtime. */\nexport const name = "x";\n',
};

const dirs = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tree(changes = {}) {
  const root = mkdtempSync(join(tmpdir(), "corral-docs-"));
  dirs.push(root);
  for (const [path, text] of Object.entries({ ...CLEAN, ...changes })) {
    if (text === null) continue;
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

test("a documented workspace passes", () => {
  const { problems, errors, packages } = checkDocs(tree(), { allowed: [] });
  assert.deepEqual(problems, []);
  assert.deepEqual(errors, []);
  assert.deepEqual(packages, ["@t/adapter", "@t/base"]);
});

test("the report parser reads each error and the first location after it", () => {
  const output = `error[missing-jsdoc]: exported symbol is missing JSDoc documentation
 --> /x/packages/a/src/mod.ts:2:17
  |
error[private-type-ref]: public type 'g' references private type 'Hidden'
 --> /x/packages/a/src/mod.ts:7:1
  = hint: make the referenced type public or remove the reference
5 | interface Hidden { a: number }
error: Found 2 documentation lint errors.
`;
  assert.deepEqual(parseDocLint(output), [
    {
      kind: "missing-jsdoc",
      message: "exported symbol is missing JSDoc documentation",
      file: "/x/packages/a/src/mod.ts",
      line: 2,
      column: 17,
    },
    {
      kind: "private-type-ref",
      message: "public type 'g' references private type 'Hidden'",
      file: "/x/packages/a/src/mod.ts",
      line: 7,
      column: 1,
    },
  ]);
});

/** [kind, planted files, the problems expected (exactly)] */
const PLANTS = [
  [
    "an exported function without a doc comment",
    {
      "packages/base/src/mod.ts": '/** @module */\nexport { Counter, type CounterOptions } from "./counter.ts";\n' +
        "export function inc(n: number): number {\n  return n + 1;\n}\n",
    },
    ["packages/base/src/mod.ts:3:17 error[missing-jsdoc]: exported symbol is missing JSDoc documentation"],
  ],
  [
    "a public member without a doc comment, in a file the entry point re-exports (reported once)",
    {
      "packages/base/src/counter.ts": `/** Options for {@linkcode Counter}. */
export interface CounterOptions {
  /** Where to start. */
  start?: number;
}
/** Counts. */
export class Counter {
  value = 0;
}
`,
    },
    ["packages/base/src/counter.ts:8:3 error[missing-jsdoc]: exported symbol is missing JSDoc documentation"],
  ],
  [
    "a constructor documented by tags only",
    {
      "packages/base/src/counter.ts": `/** Options for {@linkcode Counter}. */
export interface CounterOptions {
  /** Where to start. */
  start?: number;
}
/** Counts. */
export class Counter {
  /** The count. */
  value: number;
  /**
   * @param options where to start
   */
  constructor(options?: CounterOptions) {
    this.value = options?.start ?? 0;
  }
}
`,
    },
    ["packages/base/src/counter.ts:13:3 error[missing-jsdoc]: exported symbol is missing JSDoc documentation"],
  ],
  [
    "a public signature naming a type the package does not export",
    {
      "packages/base/src/mod.ts": `/** @module */
export { Counter, type CounterOptions } from "./counter.ts";
interface Step {
  by: number;
}
/** Adds a step. */
export function inc(n: number, step: Step): number {
  return n + step.by;
}
`,
    },
    ["packages/base/src/mod.ts:7:1 error[private-type-ref]: public type 'inc' references private type 'Step'"],
  ],
  [
    "an undocumented symbol of the adapter's own",
    { "packages/adapter/src/mod.ts": '/** @module */\nexport * from "@t/base";\nexport const name = "x";\n' },
    ["packages/adapter/src/mod.ts:3:14 error[missing-jsdoc]: exported symbol is missing JSDoc documentation"],
  ],
];

describe("each planted gap fails, naming file, line and column", () => {
  for (const [kind, files, expected] of PLANTS) {
    test(kind, () => {
      const { problems } = checkDocs(tree(files), { allowed: [] });
      assert.deepEqual(problems, expected);
    });
  }

  test("a module that does not load fails with deno's own words (deno doc only warns)", () => {
    for (const text of ['/** @module */\nexport * from "./missing.ts";\n', "/** @module */\nexport const x = (;\n"]) {
      const { problems } = checkDocs(tree({ "packages/adapter/src/mod.ts": text }), { allowed: [] });
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.match(problems[0], /^@t\/adapter: deno doc --lint could not read every module:\n[\s\S]*Warning /);
    }
  });

  test("a run that fails without a finding fails, showing its output", () => {
    // Node stands in for a deno that cannot run: it exits 1 ("Cannot find module …/doc").
    const { problems } = checkDocs(tree(), { allowed: [], deno: process.execPath });
    assert.equal(problems.length, 2, problems.join("\n"));
    assert.match(problems[0], /^@t\/adapter: deno doc --lint failed \(exit 1\):\n[\s\S]*Cannot find module/);
  });
});

describe("the allow-list names exact errors, one entry each, and only shrinks", () => {
  const MISSING = "error[missing-jsdoc]: exported symbol is missing JSDoc documentation";
  const entry = `packages/base/src/mod.ts ${MISSING}`;
  const planted = {
    "packages/base/src/mod.ts": '/** @module */\nexport { Counter, type CounterOptions } from "./counter.ts";\n' +
      "export function inc(n: number): number {\n  return n + 1;\n}\n",
  };

  test("an allowed error passes wherever it moves in its file, and is still listed", () => {
    const { problems, errors } = checkDocs(tree(planted), { allowed: [entry] });
    assert.deepEqual(problems, []);
    assert.deepEqual(errors, [`packages/base/src/mod.ts:3:17 ${MISSING}`]);
    const moved = { "packages/base/src/mod.ts": `\n\n${planted["packages/base/src/mod.ts"]}` };
    assert.deepEqual(checkDocs(tree(moved), { allowed: [entry] }).problems, []);
  });

  test("an allowed error that is gone fails, asking to remove it", () => {
    const { problems } = checkDocs(tree(), { allowed: [entry] });
    assert.equal(problems.length, 1);
    assert.match(problems[0], /is allowed 1 time\(s\) but reported 0: remove it from ALLOWED_DOC_ERRORS/);
  });

  test("one more of the same error in the file than allowed fails, listing each place", () => {
    const twice = {
      "packages/base/src/mod.ts": `${planted["packages/base/src/mod.ts"]}export const two = 2;\n`,
    };
    const { problems } = checkDocs(tree(twice), { allowed: [entry] });
    assert.deepEqual(problems, [
      `packages/base/src/mod.ts:3:17 ${MISSING} (1 of these allowed in its file)`,
      `packages/base/src/mod.ts:6:14 ${MISSING} (1 of these allowed in its file)`,
    ]);
    assert.deepEqual(checkDocs(tree(twice), { allowed: [entry, entry] }).problems, []);
  });

  test("the same error in another file is not covered", () => {
    const { problems } = checkDocs(tree(planted), { allowed: [`packages/base/src/counter.ts ${MISSING}`] });
    assert.equal(problems.length, 2, problems.join("\n"));
  });
});

test("a coloured report reads the same (deno colours it whenever FORCE_COLOR is set, even to 0)", () => {
  const saved = process.env.FORCE_COLOR;
  process.env.FORCE_COLOR = "0";
  try {
    const { problems } = checkDocs(tree(PLANTS[0][1]), { allowed: [] });
    assert.deepEqual(problems, PLANTS[0][2]);
  } finally {
    if (saved === undefined) delete process.env.FORCE_COLOR;
    else process.env.FORCE_COLOR = saved;
  }
});

test("the command exits 1 listing the problems", () => {
  const r = spawnSync(
    process.execPath,
    [script, tree({ "packages/adapter/src/mod.ts": 'export * from "@t/base";\nexport const name = "x";\n' })],
    { encoding: "utf8" },
  );
  assert.equal(r.status, 1);
  assert.match(r.stderr, /packages\/adapter\/src\/mod\.ts:2:14 error\[missing-jsdoc\]/);
});

test("this repository's public docs are clean beyond the allow-list", () => {
  const { problems, packages } = checkDocs(repo);
  assert.deepEqual(problems, []);
  // Every workspace package with a JSR manifest is checked, none skipped.
  const published = readdirSync(join(repo, "packages")).filter((p) =>
    existsSync(join(repo, "packages", p, "deno.json"))
  );
  assert.ok(published.length >= 9, `packages with a deno.json: ${published}`);
  assert.equal(packages.length, published.length, `checked ${packages}`);
  const command = spawnSync(process.execPath, [script], { encoding: "utf8" });
  assert.equal(command.status, 0, command.stderr);
  assert.match(command.stdout, new RegExp(`^check-docs: deno doc --lint is clean on ${published.length} packages`));
});
