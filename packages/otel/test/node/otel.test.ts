// The @corral/otel cases under vitest, through @corral/node (which installs the tracing channels).
import "@corral/node";
import { test } from "vitest";
import { metricCases } from "../metrics.ts";
import { prometheusCases } from "../prometheus.ts";
import { tracingCases } from "../tracing.ts";

for (const [name, fn] of [...metricCases, ...prometheusCases, ...tracingCases]) test(name, fn);
