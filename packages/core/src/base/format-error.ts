// One readable text for an error and everything that travels with it: its
// `cause`, a SuppressedError's `error`/`suppressed`, an AggregateError's
// `errors`. Runtimes disagree on what console.error shows (none of them shows
// a SuppressedError's two halves, and JSC stacks have no header line), so
// run() prints this instead, identically everywhere.

const MAX_DEPTH = 16;

/** Formats `error` and its chain; each object appears at most once (cycles print as "[circular]"). */
export function formatError(error: unknown): string {
  const lines: string[] = [];
  write(lines, error, "", new Set(), 0);
  return lines.join("\n");
}

function write(lines: string[], value: unknown, indent: string, seen: Set<unknown>, depth: number): void {
  if (typeof value !== "object" || value === null) {
    lines.push(indent + primitive(value));
    return;
  }
  if (seen.has(value)) {
    lines.push(indent + "[circular]");
    return;
  }
  if (depth >= MAX_DEPTH) {
    lines.push(indent + "[…]");
    return;
  }
  seen.add(value);
  const head = header(value);
  for (const line of body(value, head).split("\n")) lines.push(indent + line);
  const inner = indent + "  ";
  const next = depth + 1;
  const record = value as { error?: unknown; suppressed?: unknown; cause?: unknown };
  if (head.startsWith("SuppressedError") || ("error" in value && "suppressed" in value)) {
    lines.push(inner + "[error]:");
    write(lines, record.error, inner + "  ", seen, next);
    lines.push(inner + "[suppressed]:");
    write(lines, record.suppressed, inner + "  ", seen, next);
  }
  if (value instanceof AggregateError && Array.isArray(value.errors)) {
    value.errors.forEach((item: unknown, i: number) => {
      lines.push(`${inner}[errors][${i}]:`);
      write(lines, item, inner + "  ", seen, next);
    });
  }
  if ("cause" in value && record.cause !== undefined) {
    lines.push(inner + "[cause]:");
    write(lines, record.cause, inner + "  ", seen, next);
  }
}

function header(value: object): string {
  const { name, message } = value as { name?: unknown; message?: unknown };
  if (!(value instanceof Error) && typeof message !== "string") return json(value);
  const title = typeof name === "string" && name !== "" ? name : Object.prototype.toString.call(value).slice(8, -1);
  return typeof message === "string" && message !== "" ? `${title}: ${message}` : title;
}

/** The header and the stack frames, without repeating the header V8 puts at the top of `stack`. */
function body(value: object, head: string): string {
  let stack: unknown;
  try {
    stack = (value as { stack?: unknown }).stack;
  } catch {
    stack = undefined;
  }
  if (typeof stack !== "string" || stack === "") return head;
  if (stack.startsWith(head)) return stack;
  const frames = stack.split("\n").filter((line) => /^\s+at\s/.test(line));
  return frames.length === 0 ? head : `${head}\n${frames.join("\n")}`;
}

function json(value: object): string {
  try {
    return JSON.stringify(value) ?? Object.prototype.toString.call(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function primitive(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "symbol") return value.toString();
  if (typeof value === "bigint") return `${value}n`;
  return String(value);
}
