// What the status server answers, whatever serves it: GET /health and
// GET /stats (JSON), GET /metrics (Prometheus text, when given), 404 for
// anything else. The shells only write it out.
import type { StatusHandler } from "./shell.ts";

export function statusHandler(stats: () => unknown, metrics?: () => string): StatusHandler {
  return (method, pathname) => {
    if (method === "GET" && pathname === "/metrics" && metrics !== undefined) {
      return { status: 200, json: null, text: metrics() };
    }
    if (method === "GET" && pathname === "/health") return { status: 200, json: '{"status":"ok"}' };
    if (method === "GET" && pathname === "/stats") return { status: 200, json: JSON.stringify(stats()) };
    return { status: 404, json: null };
  };
}
