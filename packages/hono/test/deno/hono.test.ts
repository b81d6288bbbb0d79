// The @corral/hono suite under `deno test` (sanitizers on), served by Deno.serve.
import "@corral/deno";
import { honoSuite } from "../suite.ts";

honoSuite({
  test: (name, fn) => Deno.test(name, fn),
  serve: (fetch) => {
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, fetch);
    return Promise.resolve({ url: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() });
  },
});
