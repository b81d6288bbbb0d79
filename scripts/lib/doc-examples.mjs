// The TypeScript examples of the documentation, as the type check compiles
// them (scripts/check-types.mjs). Every ```ts block of a checked document is
// an example; each is compiled as a module of its own. What an example takes
// as given — an import, a value it only mentions (`pool`, `signal`, a
// `connect()` of your own) — is written just above the block in an HTML
// comment, which markdown viewers (GitHub, npm, JSR) do not show:
//
//   <!-- check:
//   import { createPool } from "@corral/node";
//   declare function connect(url: string, options: { signal: AbortSignal }): Promise<Conn>;
//   -->
//   ```ts
//   …
//   ```
//
// So the checked code is the documented code, with its assumptions next to it.
import { readFileSync } from "node:fs";

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/;
const CHECK = /^\s*<!--\s*check:([\s\S]*?)-->\s*$/;

/**
 * The examples of one markdown file: `{ doc, line, prelude, code }`, where
 * `line` is the 1-based line of the block's first code line.
 */
export function examples(path, doc = path) {
  const lines = readFileSync(path, "utf8").split("\n");
  const out = [];
  let pending; // the prelude of the next block, from a check comment
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim().startsWith("<!--") && /<!--\s*check:/.test(line)) {
      let text = line;
      while (!text.includes("-->") && i + 1 < lines.length) text += "\n" + lines[++i];
      const m = text.match(CHECK);
      if (!m) throw new Error(`${doc}:${i + 1}: a check comment must end with --> on a line of its own`);
      pending = m[1].replace(/^\n/, "");
      continue;
    }
    const fence = line.match(FENCE);
    if (!fence) {
      if (line.trim() !== "" && pending !== undefined) {
        throw new Error(`${doc}:${i + 1}: a check comment must come right before a code block`);
      }
      continue;
    }
    const [, indent, marks, lang] = fence;
    const start = i + 1;
    const body = [];
    for (i++; i < lines.length && !lines[i].trimStart().startsWith(marks); i++) {
      body.push(lines[i].slice(indent.length));
    }
    if (lang === "ts" || lang === "typescript") {
      out.push({ doc, line: start + 1, prelude: pending ?? "", code: body.join("\n") });
    } else if (pending !== undefined) {
      throw new Error(
        `${doc}:${start}: a check comment before a ${lang || "plain"} block (only ts blocks are checked)`,
      );
    }
    pending = undefined;
  }
  return out;
}

/**
 * The module a type checker compiles for an example, and how to map a line
 * of it back to the document: `{ text, toDoc(line) }`.
 */
export function moduleOf(example) {
  const head = [`// ${example.doc}:${example.line}`];
  const prelude = example.prelude ? example.prelude.replace(/\s+$/, "").split("\n") : [];
  const before = head.length + prelude.length;
  const text = [...head, ...prelude, example.code, "export {};", ""].join("\n");
  return {
    text,
    toDoc: (line) =>
      line > before
        ? `${example.doc}:${example.line + line - before - 1}`
        : `${example.doc}:${example.line} (its check comment, line ${line - head.length})`,
  };
}
