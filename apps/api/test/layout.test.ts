// The program in src/ is written once for every runtime: it may import
// @corral/core, the drivers and npm packages, never a runtime adapter or a
// runtime builtin, and it touches no runtime global. What differs per
// runtime lives in node/, deno/ and bun/.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";

const src = join(import.meta.dirname, "../src");

/** Imports of a module's source, and its code without comments and strings. */
function read(file: string): { imports: string[]; code: string } {
  const text = readFileSync(join(src, file), "utf8");
  const imports = [...text.matchAll(/^\s*(?:import|export)\b[^;]*?from\s*"([^"]+)"/gms)].map((m) => m[1]!);
  const code = text
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|[^:])\/\/.*$/gm, "$1")
    .replace(/`(?:\\[\s\S]|[^`\\])*`/g, "``")
    .replace(/"(?:\\.|[^"\\\n])*"/g, '""');
  return { imports, code };
}

function violations(files: string[], reader: typeof read = read): string[] {
  const found: string[] = [];
  for (const file of files) {
    const { imports, code } = reader(file);
    for (const spec of imports) {
      if (/^@corral\/(node|deno|bun)$/.test(spec)) found.push(`${file} imports the adapter ${spec}`);
      if (/^(node|bun):/.test(spec)) found.push(`${file} imports the runtime builtin ${spec}`);
    }
    const global = code.match(/\b(process|Deno|Bun)\s*[.[]/);
    if (global) found.push(`${file} touches the runtime global ${global[1]}`);
  }
  return found;
}

test("src/ imports no runtime adapter or builtin and touches no runtime global", () => {
  const files = readdirSync(src).filter((f) => f.endsWith(".ts"));
  expect(files.length).toBeGreaterThan(5);
  expect(violations(files)).toEqual([]);
});

test("the check sees each kind of violation", () => {
  const planted = (text: string) => () => ({
    imports: [...text.matchAll(/from "([^"]+)"/g)].map((m) => m[1]!),
    code: text,
  });
  expect(violations(["a.ts"], planted('import { run } from "@corral/node";'))).toEqual([
    "a.ts imports the adapter @corral/node",
  ]);
  expect(violations(["a.ts"], planted('import { hostname } from "node:os";'))).toEqual([
    "a.ts imports the runtime builtin node:os",
  ]);
  expect(violations(["a.ts"], planted("const env = Deno.env.get(name);"))).toEqual([
    "a.ts touches the runtime global Deno",
  ]);
  expect(violations(["a.ts"], planted("const v = process.env[name];"))).toEqual([
    "a.ts touches the runtime global process",
  ]);
});
