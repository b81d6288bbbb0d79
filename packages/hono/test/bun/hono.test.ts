// The @corral/hono suite under `bun test`, served by Bun.serve.
import "@corral/bun";
import { test } from "bun:test";
import { honoSuite } from "../suite.ts";

honoSuite({
  test: (name, fn) => test(name, fn, 30_000),
  serve: (fetch) => {
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch });
    return Promise.resolve({ url: `http://127.0.0.1:${server.port}`, close: () => server.stop(true) });
  },
});
