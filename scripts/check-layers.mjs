#!/usr/bin/env node
// Fails when an import crosses the layering of docs/design.md the wrong way.
// Packages are found on disk (packages/<dir> with a package.json), and each
// gets a role:
//   core          packages/core. Its shipped source imports no package and no
//                 runtime module, and uses no global beyond ECMAScript and
//                 AbortController/AbortSignal, EventTarget/Event, setTimeout/
//                 clearTimeout, queueMicrotask and performance.now.
//   conformance   packages/conformance. Its shipped source imports only
//                 @corral/core, and only types: the suite drives the adapter
//                 module its harness hands it (a value import could bind a
//                 second copy of the core, whose hooks and counters are not
//                 the ones under test). It imports no runner and no runtime
//                 module, and uses the core's globals plus console and
//                 DOMException.
//   adapter       a package whose shipped source fills the core's runtime
//                 interface (imports installRuntime): node, deno, bun. It
//                 imports @corral/core and its runtime's builtins (node:,
//                 bun:) only.
//   driver        every other package: drivers (postgres, redis) and
//                 integrations (otel, hono). Among corral packages they
//                 import only @corral/core: never an adapter, never each
//                 other. (Their own npm clients are theirs to import.)
//   app           anything under apps/, whatever its layout. Apps may import
//                 every package, by name.
// Everywhere: nothing in packages/ imports an app; nobody imports another
// package's files (a deep "@corral/core/src/…" or a relative path into
// another package's src/), and shipped source imports no file outside its
// own package; relative imports carry their extension; no jsr: imports
// (JSR is unreachable here).
// Tests, benchmarks and fixtures (anything in a package outside src/, and
// src/**/*.test.ts) may also use the conformance suite, and a driver's the
// adapters that run it; they may share another package's non-shipped
// helpers (core/bench/lib.ts) by path, but never its source.
//
// Usage: node scripts/check-layers.mjs [root]. The module exports
// checkLayers(root) for scripts/check-layers.test.mjs.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const SOURCE = /\.(?:[cm]?[jt]sx?)$/;
const SKIP_DIRS = new Set(["node_modules", "dist", ".turbo", ".junit", "coverage", ".git"]);
const DEV_FILE = /\.(?:test|bench)\.[cm]?[jt]sx?$/;
const EXTENSION = /\.(?:[cm]?[jt]sx?|json)$/;
const RUNTIME_BUILTIN = /^(?:node|bun):/;

/** Host globals the core may use (docs/design.md, "The layers"); everything else must be ECMAScript. */
const CORE_GLOBALS = new Set([
  "AbortController",
  "AbortSignal",
  "EventTarget",
  "Event", // what an EventTarget dispatches
  "setTimeout",
  "clearTimeout",
  "queueMicrotask",
  "performance", // only as performance.now
]);
const CONFORMANCE_GLOBALS = new Set([...CORE_GLOBALS, "console", "DOMException"]);

/**
 * Rules about imports between the core's own shipped files, each
 * `(from, to) => reason | undefined` with both paths relative to
 * packages/core/src ("tasks/internal/group-core.ts"). The core has one
 * folder per concept (cancellation, cleanup, tasks, pool, run), each with
 * its public modules and its own internal/, above base/, the shared ground
 * (errors, clock, runtime hooks, validation, scheduler). Issue #12:
 *  - base/ imports no concept (and not mod.ts): it lies beneath them all;
 *  - no file under a concept's internal/ imports another concept's public
 *    module (or mod.ts): internals are building blocks, and one that reached
 *    up into a public module of another concept would tie the concepts in a
 *    knot. A concept's internals may use its own public modules, base/, and
 *    other concepts' internals (the cancel tree is everyone's).
 * Nothing violates these today, so there is no allow-list.
 */
export const CORE_RULES = [baseImportsNoConcept, internalsImportNoOtherPublicModule];

/** The concept folder of a path relative to packages/core/src ("pool"), or undefined for a root file (mod.ts). */
const conceptOf = (path) => (path.includes("/") ? path.slice(0, path.indexOf("/")) : undefined);
const isInternal = (path) => path.split("/")[1] === "internal";

function baseImportsNoConcept(from, to) {
  if (conceptOf(from) !== "base" || conceptOf(to) === "base") return undefined;
  return `base/ is the shared ground beneath the concepts: it imports no concept${
    conceptOf(to) ? ` (${conceptOf(to)}/)` : " and not mod.ts"
  }`;
}

function internalsImportNoOtherPublicModule(from, to) {
  if (!isInternal(from)) return undefined;
  const concept = conceptOf(to);
  if (concept === undefined) return "a concept's internals never import mod.ts";
  if (concept === conceptOf(from) || concept === "base" || isInternal(to)) return undefined;
  return `${conceptOf(from)}/internal/ imports ${concept}/'s public module: a concept's internals never import ` +
    `another concept's public module (move what both need into ${concept}/internal/ or base/)`;
}

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

const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));

/** Every import of a file: { spec, line, typeOnly, names }. Comments (doc examples) are not code. */
export function importsOf(file, text) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out = [];
  const add = (node, spec, typeOnly, names = []) =>
    out.push({ spec, typeOnly, names, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 });
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const allTypes = clause !== undefined && !clause.name && named !== undefined && ts.isNamedImports(named) &&
        named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
      const names = named !== undefined && ts.isNamedImports(named)
        ? named.elements.map((e) => (e.propertyName ?? e.name).text)
        : [];
      add(node, node.moduleSpecifier.text, Boolean(clause?.isTypeOnly || allTypes), names);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const named = node.exportClause;
      const allTypes = named !== undefined && ts.isNamedExports(named) && named.elements.length > 0 &&
        named.elements.every((e) => e.isTypeOnly);
      add(node, node.moduleSpecifier.text, node.isTypeOnly || allTypes);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const e = node.moduleReference.expression;
      if (ts.isStringLiteral(e)) add(node, e.text, node.isTypeOnly);
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg) && ts.isStringLiteral(arg.literal)) add(node, arg.literal.text, true);
    } else if (ts.isCallExpression(node) && node.arguments.length > 0 && ts.isStringLiteralLike(node.arguments[0])) {
      const callee = node.expression;
      const dynamic = callee.kind === ts.SyntaxKind.ImportKeyword;
      const required = ts.isIdentifier(callee) && callee.text === "require";
      if (dynamic || required) add(node, node.arguments[0].text, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The packages under packages/, each with its name, role and exported subpaths. */
function discoverPackages(root) {
  const base = join(root, "packages");
  const packages = [];
  let dirs = [];
  try {
    dirs = readdirSync(base).sort();
  } catch {
    // no packages/ at all
  }
  for (const dir of dirs) {
    const path = join(base, dir);
    if (!existsSync(join(path, "package.json"))) continue;
    const manifest = readJson(join(path, "package.json"));
    const exports = manifest.exports;
    const subpaths = typeof exports === "object" && exports !== null && Object.keys(exports).some((k) =>
        k.startsWith(".")
      )
      ? new Set(Object.keys(exports))
      : new Set(["."]);
    packages.push({ dir, path, name: manifest.name ?? `@corral/${dir}`, subpaths, role: undefined, files: [] });
  }
  for (const pkg of packages) {
    pkg.files = walk(pkg.path).map((file) => {
      const inner = relative(pkg.path, file).split(sep).join("/");
      const shipped = inner.startsWith("src/") && !DEV_FILE.test(inner) &&
        !/(^|\/)(test|tests|__tests__|bench|fixtures)\//.test(inner);
      const text = readFileSync(file, "utf8");
      return { file, inner, shipped, imports: importsOf(file, text) };
    });
    if (pkg.dir === "core") pkg.role = "core";
    else if (pkg.dir === "conformance") pkg.role = "conformance";
    else {
      // An adapter is what fills the core's runtime interface.
      const fills = pkg.files.some((f) =>
        f.shipped && f.imports.some((i) => !i.typeOnly && i.names.includes("installRuntime"))
      );
      pkg.role = fills ? "adapter" : "driver";
    }
  }
  return packages;
}

/** Which corral packages a file of `pkg` may import (by name or path), by role and by whether it ships. */
function allowedTargets(pkg, shipped, packages) {
  const byRole = (...roles) => packages.filter((p) => roles.includes(p.role)).map((p) => p.name);
  if (shipped) {
    if (pkg.role === "core") return [];
    return byRole("core");
  }
  switch (pkg.role) {
    case "core":
      return [pkg.name];
    case "conformance":
      return [...byRole("core"), pkg.name];
    case "adapter":
      return [...byRole("core", "conformance"), pkg.name];
    default:
      return [...byRole("core", "conformance", "adapter"), pkg.name];
  }
}

const ROLE_NAME = {
  core: "the core",
  conformance: "the conformance suite",
  adapter: "an adapter",
  driver: "a driver or integration",
};
const LAYER_WHY = {
  core: "the core imports no other package",
  conformance: "the conformance suite imports only @corral/core (types)",
  adapter: "an adapter imports only @corral/core (its tests may add the conformance suite)",
  driver: "drivers and integrations import only @corral/core, never an adapter and never each other " +
    "(their tests may add the conformance suite and the adapters)",
};

// ---------------------------------------------------------------- globals

const libCache = new Map();

/** A compiler host that parses each default lib file once per process (lib.dom.d.ts is large). */
function cachingHost(options) {
  const host = ts.createCompilerHost(options);
  const libDir = dirname(ts.getDefaultLibFilePath(options));
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    if (!resolve(fileName).startsWith(libDir)) return getSourceFile(fileName, languageVersion, ...rest);
    let sf = libCache.get(fileName);
    if (!sf) libCache.set(fileName, sf = getSourceFile(fileName, languageVersion, ...rest));
    return sf;
  };
  return host;
}

const ES_LIB = /^lib\.(?:es5|es6|es20\d\d|esnext|decorators)(?:\.[\w.-]+)?\.d\.ts$/;
const IMPLICIT = new Set(["undefined", "arguments"]);

/** The outermost expression `node` is, through parentheses and type assertions. */
function outer(node) {
  let n = node;
  while (
    ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isSatisfiesExpression(n.parent) ||
    ts.isNonNullExpression(n.parent) || ts.isTypeAssertionExpression(n.parent)
  ) n = n.parent;
  return n;
}

/**
 * The global names a use of `globalThis` reaches: `globalThis.X` and
 * `globalThis["X"]` reach X; `globalThis as { X?: T }` (kept in a variable
 * for feature detection) reaches the members of that type. Any other use is
 * undefined: it could reach anything.
 */
function globalThisNames(node) {
  const e = outer(node);
  const p = e.parent;
  if (ts.isPropertyAccessExpression(p) && p.expression === e) return [p.name.text];
  if (ts.isElementAccessExpression(p) && p.expression === e && ts.isStringLiteralLike(p.argumentExpression)) {
    return [p.argumentExpression.text];
  }
  if (
    (ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)) &&
    ts.isTypeLiteralNode(e.type)
  ) {
    const names = e.type.members.map((m) =>
      m.name && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name)) ? m.name.text : undefined
    );
    return names.includes(undefined) ? undefined : names;
  }
  return undefined;
}

/** Is this identifier a reference to a variable (not a property name, a label or a declaration's own name)? */
function isReference(id) {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) || ts.isQualifiedName(p)) return p.expression === id || p.left === id;
  if (ts.isBindingElement(p) && p.propertyName === id) return false;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return false;
  if (ts.isShorthandPropertyAssignment(p)) return true;
  return p.name !== id;
}

/**
 * Globals used by value in `files`, beyond ECMAScript and `allowed`: a
 * TypeScript program with only the ECMAScript and DOM libs (no runtime types)
 * resolves each identifier; one declared at the top of a non-ECMAScript lib
 * (window, fetch, navigator…) or declared nowhere (process, Deno, Bun…) is a
 * runtime global.
 */
function globalProblems(root, groups) {
  const files = groups.flatMap((g) => g.files);
  if (files.length === 0) return [];
  const options = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    noEmit: true,
    lib: ["lib.esnext.d.ts", "lib.dom.d.ts"],
    types: [],
    skipLibCheck: true,
  };
  const program = ts.createProgram(files, options, cachingHost(options));
  const checker = program.getTypeChecker();
  const isLib = (decl) => program.isSourceFileDefaultLibrary(decl.getSourceFile());
  const isEcmaScript = (symbol) =>
    (symbol.declarations ?? []).some((d) => isLib(d) && ES_LIB.test(basename(d.getSourceFile().fileName)));
  const isGlobal = (symbol) => {
    const decls = symbol.declarations ?? [];
    return decls.length > 0 && decls.every(isLib) &&
      decls.some((d) => ts.isSourceFile(d.parent) || ts.isSourceFile(d.parent?.parent?.parent));
  };
  const globalsByName = new Map();
  for (const symbol of checker.getSymbolsInScope(program.getSourceFile(files[0]), ts.SymbolFlags.Value)) {
    if (isGlobal(symbol)) globalsByName.set(symbol.name, symbol);
  }

  const problems = [];
  for (const group of groups) {
    for (const file of group.files) {
      const sf = program.getSourceFile(file);
      if (!sf) continue;
      const rel = relative(root, file).split(sep).join("/");
      const fail = (node, why) =>
        problems.push(`${rel}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}: ${why}`);
      const judge = (node, name, symbol) => {
        if (symbol && isEcmaScript(symbol)) return;
        if (!group.allowed.has(name)) {
          fail(node, `${group.label} uses the runtime global ${name} (allowed: ECMAScript, ${[...group.allowed]})`);
        } else if (name === "performance") {
          const p = outer(node).parent;
          if (!(ts.isPropertyAccessExpression(p) && p.name.text === "now")) {
            fail(node, `${group.label} uses performance other than as performance.now`);
          }
        }
      };
      const visit = (node) => {
        if (
          (ts.isTypeNode(node) && !ts.isExpressionWithTypeArguments(node)) || ts.isInterfaceDeclaration(node) ||
          ts.isTypeAliasDeclaration(node) || ts.isImportDeclaration(node) || ts.isExportDeclaration(node) ||
          (ts.isHeritageClause(node) && node.token === ts.SyntaxKind.ImplementsKeyword)
        ) return;
        if (ts.isModuleDeclaration(node) && node.flags & ts.NodeFlags.GlobalAugmentation) {
          fail(node, `${group.label} declares globals (declare global)`);
          return;
        }
        if (ts.isIdentifier(node) && isReference(node) && !IMPLICIT.has(node.text)) {
          if (node.text === "globalThis") {
            // Only as globalThis.<name> (feature detection), or cast to a type
            // naming what it may touch; each name is judged like a global.
            const names = globalThisNames(node);
            if (names === undefined) fail(node, `${group.label} uses globalThis other than as globalThis.<name>`);
            else for (const name of names) judge(node, name, globalsByName.get(name));
          } else {
            const symbol = ts.isShorthandPropertyAssignment(node.parent)
              ? checker.getShorthandAssignmentValueSymbol(node.parent)
              : checker.getSymbolAtLocation(node);
            if (symbol === undefined) judge(node, node.text, undefined);
            else if (isGlobal(symbol)) judge(node, node.text, symbol);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
  }
  return problems;
}

// ---------------------------------------------------------------- the check

/**
 * Checks the tree at `root`.
 *
 * @param {string} root the repository root
 * @param {{ coreRules?: Array<(from: string, to: string) => string | undefined> }} [options]
 * @returns {{ problems: string[], files: number, packages: { name: string, role: string }[], apps: number }}
 */
export function checkLayers(root, { coreRules = CORE_RULES } = {}) {
  root = realpathSync(root);
  const packages = discoverPackages(root);
  const byName = new Map(packages.map((p) => [p.name, p]));
  const appsDir = join(root, "apps");
  const appFiles = walk(appsDir).map((file) => {
    const text = readFileSync(file, "utf8");
    return { file, imports: importsOf(file, text) };
  });
  const appNames = new Set(manifests(appsDir).map((m) => readJson(m).name).filter(Boolean));
  const problems = [];
  const inside = (dir, path) => path === dir || path.startsWith(dir + sep);
  const packageAt = (path) => packages.find((p) => inside(p.path, path));

  /** The checks every file (package or app) gets; returns where the import leads: a package, an app, a path. */
  function common(file, imp, fail) {
    const { spec } = imp;
    if (spec.startsWith("jsr:")) fail("jsr: imports are not allowed (JSR is unreachable here)");
    if (spec.startsWith(".")) {
      if (!EXTENSION.test(spec)) fail("relative imports carry their extension");
      const target = resolve(dirname(file), spec);
      return { path: target, pkg: packageAt(target), app: inside(appsDir, target) };
    }
    const name = spec.match(/^(@[^/]+\/[^/]+|[^@/][^/]*)/)?.[1];
    const sub = spec.slice(name?.length ?? 0);
    const pkg = byName.get(name);
    if (pkg && sub && !pkg.subpaths.has(`.${sub}`)) {
      fail(`reaches into ${pkg.name}'s files: import "${pkg.name}" (its exports: ${[...pkg.subpaths]})`);
    }
    return { pkg, app: appNames.has(name), bare: !pkg && !appNames.has(name) };
  }

  for (const pkg of packages) {
    for (const f of pkg.files) {
      const rel = relative(root, f.file).split(sep).join("/");
      for (const imp of f.imports) {
        const fail = (why) => problems.push(`${rel}:${imp.line}: imports "${imp.spec}" — ${why}`);
        const target = common(f.file, imp, fail);
        if (target.app) {
          fail("nothing in packages/ imports an app");
          continue;
        }
        if (imp.spec.startsWith(".")) {
          if (target.pkg === pkg) {
            const into = relative(pkg.path, target.path).split(sep).join("/");
            if (pkg.role === "core" && f.shipped && into.startsWith("src/")) {
              const from = f.inner.slice("src/".length);
              for (const rule of coreRules) {
                const why = rule(from, into.slice("src/".length));
                if (why) fail(why);
              }
            }
            continue;
          }
          if (f.shipped) {
            fail(
              `shipped source imports only its own package's files${
                target.pkg ? ` (import "${target.pkg.name}")` : ""
              }`,
            );
            continue;
          }
          if (!target.pkg) continue; // a root file (vitest.config.ts)
          if (inside(join(target.pkg.path, "src"), target.path)) {
            fail(`reaches into ${target.pkg.name}'s source by path: import "${target.pkg.name}"`);
            continue;
          }
        }
        if (target.pkg) {
          if (f.shipped && target.pkg === pkg) fail("a package does not import itself by name");
          else if (!allowedTargets(pkg, f.shipped, packages).includes(target.pkg.name)) {
            fail(`${LAYER_WHY[pkg.role]}; ${target.pkg.name} is ${ROLE_NAME[target.pkg.role]}`);
          } else if (f.shipped && pkg.role === "conformance" && !imp.typeOnly) {
            fail(
              "the conformance suite imports @corral/core for types only (use `import type`): " +
                "it drives the adapter module its harness hands it",
            );
          }
          continue;
        }
        if (!target.bare || !f.shipped) continue;
        if (pkg.role === "core") fail("the core imports no package and no runtime module");
        else if (pkg.role === "conformance") {
          fail("the conformance suite imports only @corral/core (types): no runner, no runtime module");
        } else if (pkg.role === "adapter" && !RUNTIME_BUILTIN.test(imp.spec)) {
          fail("an adapter imports only @corral/core and its runtime's builtins (node:, bun:)");
        }
      }
    }
  }

  for (const f of appFiles) {
    const rel = relative(root, f.file).split(sep).join("/");
    for (const imp of f.imports) {
      const fail = (why) => problems.push(`${rel}:${imp.line}: imports "${imp.spec}" — ${why}`);
      const target = common(f.file, imp, fail);
      if (imp.spec.startsWith(".") && target.pkg) fail(`apps import packages by name: import "${target.pkg.name}"`);
    }
  }

  const shippedOf = (role) => packages.filter((p) => p.role === role).flatMap((p) => p.files.filter((f) => f.shipped));
  problems.push(...globalProblems(root, [
    { label: "the core", allowed: CORE_GLOBALS, files: shippedOf("core").map((f) => f.file) },
    {
      label: "the conformance suite",
      allowed: CONFORMANCE_GLOBALS,
      files: shippedOf("conformance").map((f) => f.file),
    },
  ]));

  return {
    problems,
    files: packages.reduce((n, p) => n + p.files.length, 0) + appFiles.length,
    packages: packages.map((p) => ({ name: p.name, role: p.role })),
    apps: appFiles.length,
  };
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), ".."));
  const { problems, files, packages } = checkLayers(root);
  if (problems.length) {
    console.error(`check-layers: ${problems.length} problem(s)\n  ${problems.join("\n  ")}`);
    process.exit(1);
  }
  const roles = packages.map((p) => `${p.name.replace(/^@corral\//, "")}=${p.role}`).join(", ");
  console.log(`check-layers: ${files} files, ${packages.length} packages (${roles}) and apps: layering holds`);
}
