import { expect, test } from "vitest";
import { SuppressedError, TaskGroupError } from "./errors.ts";
import { formatError } from "./format-error.ts";

test("formatError shows the header once, then the stack frames", () => {
  const text = formatError(new TypeError("bad"));
  expect(text.match(/TypeError: bad/g)).toHaveLength(1);
  expect(text).toMatch(/\n\s+at /);
});

test("formatError shows both halves of a SuppressedError and a cause, indented", () => {
  const body = new Error("body failed", { cause: new Error("socket reset") });
  const cleanup = new Error("close failed");
  const text = formatError(new SuppressedError(cleanup, body, "cleanup failed while another error was in flight"));
  expect(text).toMatch(/^SuppressedError: cleanup failed/);
  expect(text).toMatch(/\n {2}\[error\]:\n {4}Error: close failed/);
  expect(text).toMatch(/\n {2}\[suppressed\]:\n {4}Error: body failed/);
  expect(text).toMatch(/\n {6}\[cause\]:\n {8}Error: socket reset/);
});

test("formatError lists an AggregateError's errors", () => {
  const text = formatError(new TaskGroupError([new Error("a"), "b"], "2 tasks failed"));
  expect(text).toMatch(/^TaskGroupError: 2 tasks failed/);
  expect(text).toMatch(/\[errors\]\[0\]:\n\s+Error: a/);
  expect(text).toMatch(/\[errors\]\[1\]:\n\s+b/);
});

test("formatError prints each object once: cycles end as [circular]", () => {
  const a = new Error("a");
  const b = new Error("b", { cause: a });
  (a as { cause?: unknown }).cause = b;
  const text = formatError(a);
  expect(text.match(/Error: a/g)).toHaveLength(1);
  expect(text).toContain("[circular]");
});

test("formatError handles thrown primitives and objects without a stack", () => {
  expect(formatError("plain string")).toBe("plain string");
  expect(formatError(42)).toBe("42");
  expect(formatError(undefined)).toBe("undefined");
  expect(formatError({ name: "Custom", message: "shaped like an error" })).toBe("Custom: shaped like an error");
  expect(formatError({ code: 7 })).toBe('{"code":7}');
});
