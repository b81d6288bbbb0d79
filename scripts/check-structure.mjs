#!/usr/bin/env node
// Fails on two shapes of code that make a tree hard to change (issue #12):
//  - an import cycle between files of packages/ and apps/. Every import
//    counts: type-only ones, re-exports, `import()` and `import("…")` types.
//    Relative imports resolve to their file; `@corral/*` (and app) package
//    names resolve to the file their package.json exports under the
//    "@corral/source" condition (the source the tests run). Each strongly
//    connected component of more than one file (or a file importing itself)
//    is one problem, listing its files and the imports that close it.
//  - a source file longer than MAX_CODE_LINES lines of code: lines holding
//    at least one token, so comments and blank lines aside. Every .ts/.mjs/
//    .js/.tsx file of packages/ and apps/ is measured — shipped source,
//    tests, conformance cases and benchmarks alike.
// Both have an allow-list below for what already offends while another
// branch is rewriting it. An entry is an exact file set or path, never a
// pattern; an offender beyond its entry fails, and an entry that no longer
// matches anything fails too, so the list only shrinks.
//
// Usage: node scripts/check-structure.mjs [root]. The module exports
// checkStructure(root, options) for scripts/check-structure.test.mjs.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { importsOf } from "./check-layers.mjs";

/** The size limit of issue #12: "no source file over 400 lines of code (comments and blank lines aside)". */
export const MAX_CODE_LINES = 400;

const SOURCE = /\.(?:[cm]?[jt]sx?)$/;
const SKIP_DIRS = new Set(["node_modules", "dist", ".turbo", ".junit", "coverage", ".git"]);

/**
 * Import cycles that exist today, each the exact set of files of one cycle
 * (paths from the repository root). A cycle passes when all its files are
 * in one entry, so a cycle that shrinks while it is being taken apart
 * passes; one that reaches a file outside its entry fails. Empty it as the
 * branches named below land.
 */
export const ALLOWED_CYCLES = [];

/**
 * Files over MAX_CODE_LINES today (their lines of code now in the comment).
 * An entry fails once its file is under the limit. Other branches still add
 * cases to these files while they are split, so an entry has no ceiling.
 * Empty it as the branches named below land.
 */
export const ALLOWED_SIZES = [];

function walk(dir, out = []) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const entry of entries.sort()) {
    if (SKIP_DIRS.has(entry)) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (SOURCE.test(entry) && !entry.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** Every package.json under `dir` (node_modules aside). */
function manifests(dir, out = []) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (SKIP_DIRS.has(entry)) continue;
    const path = join(dir, entry);
    if (entry === "package.json") out.push(path);
    else if (statSync(path).isDirectory()) manifests(path, out);
  }
  return out;
}

/**
 * Lines of code in `text`: lines on which at least one token starts or
 * continues (a multi-line template literal counts every line it spans).
 * Comments, JSDoc and blank lines are trivia, so they do not count.
 */
export function codeLines(file, text) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lines = new Set();
  const visit = (node) => {
    if (node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode) return;
    const children = node.getChildren(sf);
    if (children.length === 0) {
      if (node.kind === ts.SyntaxKind.EndOfFileToken) return;
      const start = node.getStart(sf);
      const end = node.getEnd();
      if (end <= start) return; // an empty list
      const first = sf.getLineAndCharacterOfPosition(start).line;
      const last = sf.getLineAndCharacterOfPosition(end).line;
      for (let line = first; line <= last; line++) lines.add(line);
      return;
    }
    for (const child of children) visit(child);
  };
  visit(sf);
  return lines.size;
}

/** The file a package export target names, from the "@corral/source" condition when there is one. */
function exportTarget(value) {
  if (typeof value === "string") return value;
  if (value && typeof value === "object") {
    for (const key of ["@corral/source", "import", "default", "types"]) {
      const found = exportTarget(value[key]);
      if (found) return found;
    }
  }
  return undefined;
}

/** Package name → { dir, subpath → file } for every package under packages/ and apps/. */
function packageMap(root) {
  const map = new Map();
  for (const path of [...manifests(join(root, "packages")), ...manifests(join(root, "apps"))]) {
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(path, "utf8"));
    } catch {
      continue;
    }
    if (!manifest.name) continue;
    const dir = dirname(path);
    const exports = manifest.exports;
    const entries = new Map();
    if (typeof exports === "string" || (exports && !Object.keys(exports).some((k) => k.startsWith(".")))) {
      entries.set(".", exportTarget(exports));
    } else if (exports) {
      for (const [sub, target] of Object.entries(exports)) entries.set(sub, exportTarget(target));
    } else if (manifest.main) entries.set(".", manifest.main);
    map.set(manifest.name, { dir, entries });
  }
  return map;
}

/** The file an import leads to inside the tree, or undefined (an npm package, a runtime module, a missing file). */
function resolveImport(from, spec, packages) {
  let target;
  if (spec.startsWith(".")) target = resolve(dirname(from), spec);
  else {
    const name = spec.match(/^(@[^/]+\/[^/]+|[^@/][^/]*)/)?.[1];
    const pkg = name && packages.get(name);
    if (!pkg) return undefined;
    const entry = pkg.entries.get(`.${spec.slice(name.length)}`);
    if (!entry) return undefined;
    target = resolve(pkg.dir, entry);
  }
  if (existsSync(target) && statSync(target).isFile()) return target;
  const ts = target.replace(/\.([cm]?)js$/, ".$1ts");
  return ts !== target && existsSync(ts) ? ts : undefined;
}

/** Tarjan's strongly connected components of `graph` (file → Set of files), each of size > 1 or a self-loop. */
function cycles(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const out = [];
  let next = 0;
  // Iterative, so a long import chain cannot overflow the call stack.
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work = [[start, [...graph.get(start)], 0]];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const frame = work[work.length - 1];
      const [v, edges] = frame;
      if (frame[2] < edges.length) {
        const w = edges[frame[2]++];
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          work.push([w, [...(graph.get(w) ?? [])], 0]);
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent), low.get(v)));
      }
      if (low.get(v) === index.get(v)) {
        const component = [];
        let w;
        do {
          w = stack.pop();
          onStack.delete(w);
          component.push(w);
        } while (w !== v);
        if (component.length > 1 || graph.get(v).has(v)) out.push(component.sort());
      }
    }
  }
  return out;
}

/**
 * Checks the tree at `root`.
 *
 * @param {string} root the repository root
 * @param {{ allowedCycles?: string[][], allowedSizes?: string[], maxCodeLines?: number }} [options]
 * @returns {{ problems: string[], files: number, cycles: string[][], sizes: Record<string, number> }}
 *   `cycles` and `sizes` are every offender found, allowed or not.
 */
export function checkStructure(
  root,
  { allowedCycles = ALLOWED_CYCLES, allowedSizes = ALLOWED_SIZES, maxCodeLines = MAX_CODE_LINES } = {},
) {
  root = realpathSync(root);
  const rel = (file) => relative(root, file).split(sep).join("/");
  const files = [...walk(join(root, "packages")), ...walk(join(root, "apps"))];
  const packages = packageMap(root);
  const problems = [];
  const graph = new Map();
  const lineOf = new Map(); // "from\0to" → the line of the first import
  const sizes = {};

  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const edges = new Set();
    for (const imp of importsOf(file, text)) {
      const target = resolveImport(file, imp.spec, packages);
      if (target === undefined) continue;
      edges.add(target);
      const key = `${file}\0${target}`;
      if (!lineOf.has(key)) lineOf.set(key, imp.line);
    }
    graph.set(file, edges);
    const lines = codeLines(file, text);
    if (lines > maxCodeLines) sizes[rel(file)] = lines;
  }
  for (const edges of graph.values()) {
    for (const target of edges) if (!graph.has(target)) graph.set(target, new Set());
  }

  const found = cycles(graph).map((c) => c.map(rel));
  const used = new Set();
  for (const component of found) {
    const entry = allowedCycles.findIndex((allowed) => component.every((f) => allowed.includes(f)));
    if (entry >= 0) {
      used.add(entry);
      continue;
    }
    const members = new Set(component);
    const closing = [];
    for (const from of component) {
      for (const to of graph.get(join(root, from))) {
        if (members.has(rel(to))) closing.push(`${from}:${lineOf.get(`${join(root, from)}\0${to}`)} → ${rel(to)}`);
      }
    }
    problems.push(
      `${component[0]}: an import cycle between ${component.length} file(s) ` +
        `(break it: shared parts go in a file both import):\n    ${closing.join("\n    ")}`,
    );
  }
  allowedCycles.forEach((allowed, i) => {
    if (!used.has(i)) {
      problems.push(
        `${allowed[0]}: the allowed cycle [${allowed.join(", ")}] no longer exists: ` +
          "remove it from ALLOWED_CYCLES in scripts/check-structure.mjs",
      );
    }
  });

  for (const [path, lines] of Object.entries(sizes)) {
    if (!allowedSizes.includes(path)) {
      problems.push(
        `${path}: ${lines} lines of code, over ${maxCodeLines} (comments and blank lines aside): split it by role`,
      );
    }
  }
  for (const path of allowedSizes) {
    if (!(path in sizes)) {
      problems.push(
        `${path}: allowed to exceed ${maxCodeLines} lines of code, but it no longer does (or is gone): ` +
          "remove it from ALLOWED_SIZES in scripts/check-structure.mjs",
      );
    }
  }
  return { problems, files: files.length, cycles: found, sizes };
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), ".."));
  const { problems, files, cycles, sizes } = checkStructure(root);
  if (problems.length) {
    console.error(`check-structure: ${problems.length} problem(s)\n  ${problems.join("\n  ")}`);
    process.exit(1);
  }
  const allowed = cycles.length + Object.keys(sizes).length;
  console.log(
    `check-structure: ${files} files, no import cycle and no file over ${MAX_CODE_LINES} lines of code` +
      (allowed ? ` beyond the allow-lists (${cycles.length} cycle(s), ${Object.keys(sizes).length} file(s))` : ""),
  );
}
