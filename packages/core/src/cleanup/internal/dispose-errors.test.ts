import { describe, expect, test } from "vitest";
import { SuppressedError, type SuppressedErrorLike } from "../../base/errors.ts";
import { combine, Pending } from "./dispose-errors.ts";

const s = (error: unknown, suppressed: unknown) => new SuppressedError(error, suppressed);

describe("combine", () => {
  test("wraps a new error as SuppressedError(new, pending)", () => {
    const a = new Error("a");
    const b = new Error("b");
    const c = combine(a, b) as SuppressedErrorLike;
    expect(c).toBeInstanceOf(SuppressedError);
    expect(c.error).toBe(b);
    expect(c.suppressed).toBe(a);
  });

  test("returns pending unchanged when the same value is rethrown, objects and primitives alike", () => {
    const a = new Error("a");
    expect(combine(a, a)).toBe(a);
    expect(combine("x", "x")).toBe("x");
  });

  test("wraps a thrown primitive that differs from the pending one", () => {
    const c = combine("x", 42) as SuppressedErrorLike;
    expect(c.error).toBe(42);
    expect(c.suppressed).toBe("x");
  });

  test("returns pending when the new error is already inside its chain", () => {
    const a = new Error("a");
    const chain = s(new Error("b"), a);
    expect(combine(chain, a)).toBe(chain);
  });

  test("returns the new error when it already carries pending (the thrower wrapped it)", () => {
    const a = new Error("a");
    const wrapped = s(new Error("b"), a);
    expect(combine(a, wrapped)).toBe(wrapped);
  });

  test("a cause pointing at pending does not count: the replacement still wraps", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    const c = combine(a, b) as SuppressedErrorLike;
    expect(c.error).toBe(b);
    expect(c.suppressed).toBe(a);
  });

  test("returns the new error when it carries a pending primitive", () => {
    const wrapped = s(new Error("b"), undefined);
    expect(combine(undefined, wrapped)).toBe(wrapped);
  });

  test("survives a user-made cycle", () => {
    const loop = s(undefined, undefined) as SuppressedErrorLike;
    loop.error = loop;
    const a = new Error("a");
    expect((combine(a, loop) as SuppressedErrorLike).error).toBe(loop);
  });
});

describe("Pending", () => {
  test("tells a thrown undefined from no error", () => {
    const p = new Pending(false, undefined);
    expect(p.has).toBe(false);
    p.add(undefined);
    expect(p.has).toBe(true);
    expect(p.error).toBe(undefined);
    p.add(new Error("x"));
    expect((p.error as SuppressedErrorLike).suppressed).toBe(undefined);
  });

  test("chains newest outermost and never holds an object twice", () => {
    const [a, b, c] = [new Error("a"), new Error("b"), new Error("c")];
    const p = new Pending(true, a);
    p.add(b);
    p.add(c);
    const outer = p.error as SuppressedErrorLike;
    expect(outer.error).toBe(c);
    expect((outer.suppressed as SuppressedErrorLike).error).toBe(b);
    expect((outer.suppressed as SuppressedErrorLike).suppressed).toBe(a);
    // Rethrowing any member, or the chain itself, changes nothing.
    for (const again of [a, b, c, outer, outer.suppressed]) {
      p.add(again);
      expect(p.error).toBe(outer);
    }
  });

  test("a thrown SuppressedError that carries the chain replaces it, and its members count", () => {
    const a = new Error("a");
    const p = new Pending(true, a);
    const mine = new Error("mine");
    const theirs = s(mine, a);
    p.add(theirs);
    expect(p.error).toBe(theirs);
    p.add(mine);
    expect(p.error).toBe(theirs);
  });

  test("two thrown undefined (null, 0, NaN …) are two errors: they wrap, as TC39 does", () => {
    for (const value of [undefined, null, 0, NaN, "x", false]) {
      const p = new Pending(false, undefined);
      p.add(value);
      p.add(value);
      const outer = p.error as SuppressedErrorLike;
      expect(outer).toBeInstanceOf(SuppressedError);
      expect(Object.is(outer.error, value) && Object.is(outer.suppressed, value)).toBe(true);
    }
  });

  test("a primitive thrown back by the callback it was handed to is a rethrow: nothing changes", () => {
    const p = new Pending(true, undefined);
    p.add(undefined, true);
    expect(p.has && p.error === undefined).toBe(true);
    p.add(0, true); // a different value: wraps, handed or not
    expect((p.error as SuppressedErrorLike).error).toBe(0);
  });

  test("a thrown SuppressedError that carries a pending primitive replaces it", () => {
    const p = new Pending(true, 0);
    const theirs = s(new Error("mine"), 0);
    p.add(theirs);
    expect(p.error).toBe(theirs);
  });

  test("suppress() forgets the error and its members", () => {
    const a = new Error("a");
    const p = new Pending(true, a);
    p.add(new Error("b"));
    p.suppress();
    expect(p.has).toBe(false);
    expect(p.error).toBe(undefined);
    p.add(a);
    expect(p.error).toBe(a);
  });
});
