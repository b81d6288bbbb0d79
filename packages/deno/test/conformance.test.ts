// The conformance suite under `deno test`, sanitizers on.
import { conformance } from "@corral/conformance";
import * as corral from "../src/mod.ts";

conformance({ test: (name, fn) => Deno.test(name, fn), corral });
