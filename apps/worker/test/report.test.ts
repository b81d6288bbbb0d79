// What the worker prints when it stops on a failure, and for a failed job.
import { SuppressedError } from "@corral/core";
import { ConnectError } from "@corral/postgres";
import { expect, test } from "vitest";
import { address, describeError, describeFailure, Unreachable } from "../src/report.ts";

test("a service's address is host:port with the default port, never its credentials", () => {
  expect(address("postgres://user:secret@db.internal/app", 5432)).toBe("db.internal:5432");
  expect(address("redis://:pw@127.0.0.1:6380", 6379)).toBe("127.0.0.1:6380");
  expect(address("not a url", 1)).toBe("an address that is not a valid URL");
});

test("an unreachable service: one line naming it, its cause, then a hint; no stack trace", () => {
  const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5999"), { code: "ECONNREFUSED" });
  const text = describeFailure(new Unreachable("PostgreSQL at 127.0.0.1:5999 (DATABASE_URL)", "start it", refused));
  expect(text).toBe(
    "error: cannot reach PostgreSQL at 127.0.0.1:5999 (DATABASE_URL): connect ECONNREFUSED 127.0.0.1:5999\n" +
      "hint: start it",
  );
});

test("the chain: causes, a SuppressedError's two halves and an AggregateError's errors all appear", () => {
  const agg = new AggregateError([new Error("::1 refused"), new Error("127.0.0.1 refused")], "");
  expect(describeError(new Error("setup failed", { cause: agg }))).toBe(
    "setup failed: AggregateError [::1 refused; 127.0.0.1 refused]",
  );
  const suppressed = new SuppressedError(new Error("close failed"), new RangeError("bad"), "");
  expect(describeError(suppressed)).toBe("close failed (then, while cleaning up: RangeError: bad)");
  expect(describeError("text")).toBe("text");
  expect(describeError({ code: 1 })).toBe('{"code":1}');
});

test("a TypeError is a bug: its stack is shown; other failures print no stack", () => {
  expect(describeFailure(new TypeError("x is not a function"))).toMatch(
    /^error: TypeError: x is not a function\n.*\n\s+at /s,
  );
  expect(describeFailure(new RangeError("PORT must be an integer"))).toBe("error: RangeError: PORT must be an integer");
});

test("a driver's ConnectError stands alone: its address and source once, the cause once, then the hint", () => {
  const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5999"), { code: "ECONNREFUSED" });
  const error = new ConnectError({ address: "127.0.0.1:5999", database: "test", from: "DATABASE_URL" }, {
    cause: refused,
  });
  const text = describeFailure(new Unreachable("PostgreSQL at 127.0.0.1:5999 (DATABASE_URL)", "start it", error));
  expect(text).toBe(
    'error: Cannot connect to PostgreSQL at 127.0.0.1:5999, database "test" (address from DATABASE_URL): ' +
      "connect ECONNREFUSED 127.0.0.1:5999\nhint: start it",
  );
});
