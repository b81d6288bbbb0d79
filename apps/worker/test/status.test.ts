import { expect, test } from "vitest";
import { statusHandler } from "../src/status.ts";

test("the status routes: GET /health and GET /stats answer JSON, everything else is 404", () => {
  let calls = 0;
  const handle = statusHandler(() => ({ calls: ++calls }));
  expect(handle("GET", "/health")).toEqual({ status: 200, json: '{"status":"ok"}' });
  expect(handle("GET", "/stats")).toEqual({ status: 200, json: '{"calls":1}' });
  expect(handle("POST", "/stats")).toEqual({ status: 404, json: null });
  expect(handle("GET", "/")).toEqual({ status: 404, json: null });
  expect(calls).toBe(1);
});

test("GET /metrics answers the metrics' text, when the worker has them", () => {
  const handle = statusHandler(() => ({}), () => "corral_pool_timeouts_total 0\n");
  expect(handle("GET", "/metrics")).toEqual({ status: 200, json: null, text: "corral_pool_timeouts_total 0\n" });
  expect(statusHandler(() => ({}))("GET", "/metrics")).toEqual({ status: 404, json: null });
});
