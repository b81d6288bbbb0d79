// The conformance suite's runner-free asserts, with the explicit types that
// TypeScript's assertion signatures need at a call site.
import { assert } from "@corral/conformance";

export const ok: typeof assert.ok = assert.ok;
export const equal: typeof assert.equal = assert.equal;
export const deepEqual: typeof assert.deepEqual = assert.deepEqual;
export const rejects: typeof assert.rejects = assert.rejects;
export const throws: typeof assert.throws = assert.throws;
