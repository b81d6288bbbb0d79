// The @corral/otel cases under `deno test` (sanitizers on), through @corral/deno.
import "@corral/deno";
import { metricCases } from "../metrics.ts";
import { prometheusCases } from "../prometheus.ts";
import { tracingCases } from "../tracing.ts";

for (const [name, fn] of [...metricCases, ...prometheusCases, ...tracingCases]) Deno.test(name, fn);
