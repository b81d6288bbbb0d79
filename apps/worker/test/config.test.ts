// Configuration rules, shared by every shell.
import { expect, test } from "vitest";
import { loadConfig } from "../src/config.ts";

const load = (env: Record<string, string>) =>
  loadConfig({ env: (name) => env[name], hostname: () => "box", runtime: { name: "deno", version: "2" } });

test("defaults: a worker that waits for jobs serves status on any free port; its id names runtime and host", () => {
  const config = load({});
  expect(config).toMatchObject({ workerId: "deno-box", port: 0, exitWhenIdle: false, concurrency: 8, demoJobs: 0 });
  expect(config.databaseUrl).toBeUndefined();
});

test("a demo batch exits when idle and serves no status page, unless PORT asks for one", () => {
  expect(load({ DEMO_JOBS: "3" })).toMatchObject({ demoJobs: 3, exitWhenIdle: true, port: undefined });
  expect(load({ EXIT_WHEN_IDLE: "1" }).port).toBeUndefined();
  expect(load({ DEMO_JOBS: "3", PORT: "0" }).port).toBe(0);
  expect(load({ DEMO_JOBS: "3", PORT: "8080" }).port).toBe(8080);
});

test("empty means unset; a bad number is a RangeError naming the variable and the value", () => {
  expect(load({ DATABASE_URL: "", WORKER_ID: "" })).toMatchObject({ databaseUrl: undefined, workerId: "deno-box" });
  expect(() => load({ CONCURRENCY: "0" })).toThrow(new RangeError('CONCURRENCY must be an integer >= 1: received "0"'));
  expect(() => load({ PORT: "http" })).toThrow(/^PORT must be an integer >= 0: received "http"$/);
});
