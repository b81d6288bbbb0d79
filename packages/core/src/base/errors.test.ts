import { describe, expect, it } from "vitest";
import { TaskGroupError } from "./errors.ts";

describe("TaskGroupError", () => {
  it("holds its failures as unknown[], so a reader narrows one before using it", () => {
    const failure = new RangeError("bad");
    const error = new TaskGroupError([failure, "a string thrown"], "2 tasks failed");
    // The type check (tsc in `npm test`) fails here while `errors` is any[]:
    // @ts-expect-error an unknown element has no `message` until it is narrowed
    expect(error.errors[0].message).toBe("bad");
    const first = error.errors[0];
    expect(first instanceof RangeError ? first.message : undefined).toBe("bad");
    expect(error.errors.filter((e) => e instanceof RangeError)).toEqual([failure]);
    expect(error.name).toBe("TaskGroupError");
  });
});
