// The @corral/otel cases under `bun test`, through @corral/bun.
import "@corral/bun";
import { test } from "bun:test";
import { metricCases } from "../metrics.ts";
import { prometheusCases } from "../prometheus.ts";
import { tracingCases } from "../tracing.ts";

for (const [name, fn] of [...metricCases, ...prometheusCases, ...tracingCases]) test(name, fn);
