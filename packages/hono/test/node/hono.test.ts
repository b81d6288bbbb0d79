// The @corral/hono suite under vitest, served by @hono/node-server.
import "@corral/node";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { test } from "vitest";
import { honoSuite } from "../suite.ts";

honoSuite({
  test,
  serve: (fetch) =>
    new Promise((resolve) => {
      const server = serve({ fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) => {
        resolve({
          url: `http://127.0.0.1:${info.port}`,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              (server as unknown as { closeAllConnections?(): void }).closeAllConnections?.();
            }),
        });
      });
    }),
});
