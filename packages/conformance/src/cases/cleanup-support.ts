// What the exit-stack and context-manager case files share.

/** A SuppressedError's two sides, as the cases read them. */
export type Chain = { error: unknown; suppressed: unknown };

/** `promise`, or a failure naming `what` once `ms` passed: a hang fails the case instead of stalling the runner. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A resource whose `[Symbol.asyncDispose]()` logs `name`. */
export function asyncDisposable(log: string[], name: string): AsyncDisposable {
  return {
    [Symbol.asyncDispose]: () => {
      log.push(name);
      return Promise.resolve();
    },
  };
}

/** A promise that never settles: a hung callback. */
export function never(): Promise<never> {
  return new Promise<never>(() => {});
}
