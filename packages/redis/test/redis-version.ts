// Which minor of the redis package a process loaded: the "+redis64" legs
// resolve every import of "redis" to redis 6.4 (scripts/run-tests.mjs).

/** "6.4" when the loaded `redis` module has what 6.4 added (`createMultiDbClient`), else "6.3". */
export function redisVersion(module: object): "6.3" | "6.4" {
  return typeof (module as { createMultiDbClient?: unknown }).createMultiDbClient === "function" ? "6.4" : "6.3";
}
