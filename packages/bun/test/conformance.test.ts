// The conformance suite under `bun test`.
import { test } from "bun:test";
import { conformance } from "@corral/conformance";
import * as corral from "../src/mod.ts";

conformance({ test, corral });
