import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiError } from "../src/server/api/errors.ts";
import {
  BUSY_CODE,
  DEFAULT_MAX_IN_FLIGHT,
  InFlightLimiter,
  parseMaxInFlight,
} from "../src/server/security/in-flight.ts";

describe("verification load shedding", () => {
  it("reads PEDIGREE_VERIFY_MAX_IN_FLIGHT: a number, off, or the default; anything else is a clear error", () => {
    assert.equal(parseMaxInFlight(undefined), DEFAULT_MAX_IN_FLIGHT);
    assert.equal(parseMaxInFlight(" 8 "), 8);
    assert.equal(parseMaxInFlight("OFF"), "off");
    for (const bad of ["0", "-1", "1.5", "many"]) {
      assert.throws(() => parseMaxInFlight(bad), /PEDIGREE_VERIFY_MAX_IN_FLIGHT must be a whole number/);
    }
  });

  it("runs up to max checks at once and refuses one more at once with 429 BUSY and Retry-After", async () => {
    const limiter = new InFlightLimiter(2);
    const gates: (() => void)[] = [];
    const slow = () => new Promise<string>((resolve) => gates.push(() => resolve("done")));
    const first = limiter.run(slow);
    const second = limiter.run(slow);
    assert.equal(limiter.inFlight, 2);
    await assert.rejects(limiter.run(slow), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 429);
      assert.equal(error.code, BUSY_CODE);
      assert.equal(error.headers?.["retry-after"], "1");
      return true;
    });
    gates.forEach((open) => open());
    assert.deepEqual(await Promise.all([first, second]), ["done", "done"]);
    assert.equal(limiter.inFlight, 0);
  });

  it("frees the slot when a check fails", async () => {
    const limiter = new InFlightLimiter(1);
    await assert.rejects(
      limiter.run(() => Promise.reject(new Error("chain down"))),
      /chain down/,
    );
    assert.equal(await limiter.run(() => Promise.resolve(7)), 7);
  });
});
