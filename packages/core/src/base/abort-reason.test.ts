import { expect, test } from "vitest";
import { abortReasonOf } from "./abort-reason.ts";

/** A signal-shaped object that aborts without setting `reason` (as some polyfills do). */
function reasonless(): AbortSignal & { abort(): void } {
  const target = Object.assign(new EventTarget(), {
    aborted: false,
    reason: undefined,
    abort(): void {
      target.aborted = true;
      target.dispatchEvent(new Event("abort"));
    },
  });
  return target as unknown as AbortSignal & { abort(): void };
}

test("abortReasonOf is undefined until the signal aborts", () => {
  expect(abortReasonOf(new AbortController().signal)).toBeUndefined();
  expect(abortReasonOf(reasonless())).toBeUndefined();
});

test("abortReasonOf returns the reason a signal carries", () => {
  const why = new Error("why");
  expect(abortReasonOf(AbortSignal.abort(why))).toBe(why);
  const platform = AbortSignal.abort();
  expect(abortReasonOf(platform)).toBe(platform.reason);
  expect(abortReasonOf(AbortSignal.abort(0))).toBe(0);
});

test("abortReasonOf makes one AbortError per reasonless signal and returns it on every call", () => {
  const signal = reasonless();
  signal.abort();
  const reason = abortReasonOf(signal);
  expect(reason).toBeInstanceOf(Error);
  expect((reason as Error).name).toBe("AbortError");
  expect((reason as Error).message).toBe("This operation was aborted");
  expect(abortReasonOf(signal)).toBe(reason);
  const other = reasonless();
  other.abort();
  expect(abortReasonOf(other)).not.toBe(reason);
});
