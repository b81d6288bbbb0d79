// The hygiene checker's own test (node --test): a clean git tree passes, each
// planted console.assert call and machine path fails naming its file and
// line. (The planted texts are assembled from pieces, so this file holds
// neither itself.) The last test runs the checker on this repository.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { checkHygiene } from "./check-hygiene.mjs";

const script = fileURLToPath(new URL("./check-hygiene.mjs", import.meta.url));
const repo = join(dirname(script), "..");
const ASSERT = "console" + ".assert";
const slash = (...parts) => "/" + parts.join("/");

const CLEAN = {
  ".gitignore": "node_modules/\n",
  "README.md": `# x\n\nNever use ${ASSERT} (it only logs). Run from the repository root: \`cd packages/core\`.\n` +
    "See https://example.com/home/docs and ~/work/notes.\n",
  "packages/core/src/mod.ts": `/**
 * @example
 * \`\`\`ts
 * import assert from "node:assert/strict";
 * assert.equal(1 + 1, 2);
 * \`\`\`
 */
export const root = new URL("../..", import.meta.url).pathname;
`,
  // ignored: never committed, so never checked
  [`node_modules/x/index.js`]: `${ASSERT}(true);\n"${slash("home", "me", "x")}";\n`,
};

const dirs = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tree(changes = {}) {
  const root = mkdtempSync(join(tmpdir(), "corral-hygiene-"));
  dirs.push(root);
  execFileSync("git", ["init", "-q"], { cwd: root });
  for (const [path, text] of Object.entries({ ...CLEAN, ...changes })) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

test("a clean tree passes (prose, URLs, ignored files)", () => {
  const { problems, files } = checkHygiene(tree());
  assert.deepEqual(problems, []);
  assert.equal(files, 3);
});

const PLANTS = [
  [
    "console.assert in source",
    "packages/core/src/bad.ts",
    `export const f = () => ${ASSERT}(1 === 2, "no");\n`,
    /console\.assert/,
  ],
  [
    "console.assert in a doc example",
    "packages/core/src/bad.ts",
    ` /**\n * @example\n * \`\`\`ts\n * ${ASSERT}(1 === 1);\n * \`\`\`\n */\nexport {};\n`,
    /console\.assert/,
  ],
  ["console.assert in Markdown", "docs/guide.md", "```ts\n" + `${ASSERT}(ok);\n` + "```\n", /console\.assert/],
  ["a /work path in notes", "docs/notes/x.md", `Repo: ${slash("work", "main")} (git)\n`, /machine's absolute path/],
  ["a /home path in a string", "scripts/x.mjs", `const dir = "${slash("home", "ci", "corral")}";\n`, /machine's/],
  ["a /root path in JSON", "packages/core/x.json", `{ "cache": "${slash("root", ".cache")}" }\n`, /machine's/],
  ["a /Users path", "README2.md", `at ${slash("Users", "me", "corral")}\n`, /machine's/],
  ["a file URL", "docs/y.md", `file://${slash("home", "me", "x.ts")}\n`, /machine's/],
  ["a Windows path", "docs/z.md", "C:\\" + "Users\\me\\corral\n", /machine's/],
];

describe("each planted text fails, naming its file and line (untracked files count)", () => {
  for (const [kind, file, text, why] of PLANTS) {
    test(kind, () => {
      const { problems } = checkHygiene(tree({ [file]: text }));
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.match(problems[0], why);
      assert.ok(problems[0].startsWith(`${file}:`), problems[0]);
    });
  }
});

test("the command exits 1 listing the problems, and 0 on a clean tree", () => {
  const dirty = spawnSync(process.execPath, [script, tree({ "a.md": `${slash("work", "x")}\n` })], {
    encoding: "utf8",
  });
  assert.equal(dirty.status, 1);
  assert.match(dirty.stderr, /1 problem\(s\)\n {2}a\.md:1: a machine's absolute path/);
  const clean = spawnSync(process.execPath, [script, tree()], { encoding: "utf8" });
  assert.equal(clean.status, 0, clean.stderr);
});

test("this repository has no console.assert and no machine path", () => {
  const { problems } = checkHygiene(repo);
  assert.deepEqual(problems, []);
});
