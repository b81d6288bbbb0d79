// The conformance suite under vitest, on whichever Node runs vitest (the
// test script runs it on Node 20 and Node 24).
import { test } from "vitest";
import { conformance } from "@corral/conformance";
import * as corral from "../src/mod.ts";

conformance({ test, corral });
