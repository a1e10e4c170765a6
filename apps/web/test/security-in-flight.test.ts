import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiError } from "../src/server/api/errors.ts";
import { BUSY_CODE, DEFAULT_SLOTS, InFlightLimiter, parseSlotConfig } from "../src/server/security/in-flight.ts";

function isBusy(error: unknown): boolean {
  assert.ok(error instanceof ApiError, `expected an ApiError, got ${String(error)}`);
  assert.equal(error.status, 429);
  assert.equal(error.code, BUSY_CODE);
  assert.equal(error.headers?.["retry-after"], "1");
  assert.match(error.message, /busy.*Try again in a second; nothing is wrong with the pack/);
  return true;
}

/** Work that finishes when the test opens its gate. */
function gated() {
  const gates: (() => void)[] = [];
  const work = () => new Promise<string>((resolve) => gates.push(() => resolve("done")));
  return { work, openAll: () => gates.splice(0).forEach((open) => open()), waiting: () => gates.length };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("verification load shedding", () => {
  it("reads PEDIGREE_VERIFY_MAX_IN_FLIGHT, _MAX_QUEUED and _MAX_WAIT_MS: numbers, off, or the defaults; anything else is a clear error", () => {
    assert.deepEqual(parseSlotConfig({}), DEFAULT_SLOTS);
    assert.deepEqual(
      parseSlotConfig({
        PEDIGREE_VERIFY_MAX_IN_FLIGHT: " 8 ",
        PEDIGREE_VERIFY_MAX_QUEUED: "0",
        PEDIGREE_VERIFY_MAX_WAIT_MS: "250",
      }),
      { maxInFlight: 8, maxQueued: 0, maxWaitMs: 250 },
    );
    assert.equal(parseSlotConfig({ PEDIGREE_VERIFY_MAX_IN_FLIGHT: "OFF" }), "off");
    for (const bad of ["0", "-1", "1.5", "many"]) {
      assert.throws(
        () => parseSlotConfig({ PEDIGREE_VERIFY_MAX_IN_FLIGHT: bad }),
        /PEDIGREE_VERIFY_MAX_IN_FLIGHT must be a whole number of at least 1, or off \(got/,
      );
    }
    assert.throws(
      () => parseSlotConfig({ PEDIGREE_VERIFY_MAX_QUEUED: "-3" }),
      /PEDIGREE_VERIFY_MAX_QUEUED must be a whole number of at least 0 \(got '-3'\)/,
    );
    assert.throws(
      () => parseSlotConfig({ PEDIGREE_VERIFY_MAX_WAIT_MS: "0" }),
      /PEDIGREE_VERIFY_MAX_WAIT_MS must be a whole number of at least 1 \(got '0'\)/,
    );
  });

  it("runs up to maxInFlight checks at once, queues the next ones in arrival order, and refuses past the queue at once", async () => {
    const limiter = new InFlightLimiter({ maxInFlight: 2, maxQueued: 2, maxWaitMs: 60_000 });
    const { work, openAll, waiting } = gated();
    const order: number[] = [];
    const run = (n: number) => limiter.run(() => work().then((v) => (order.push(n), v)));
    const running = [run(1), run(2), run(3), run(4)];
    assert.equal(limiter.inFlight, 2);
    assert.equal(limiter.queued, 2);
    await assert.rejects(run(5), isBusy);
    assert.equal(waiting(), 2);
    openAll();
    await tick();
    // The two queued checks took the freed slots, first come first served.
    assert.equal(limiter.inFlight, 2);
    assert.equal(limiter.queued, 0);
    assert.equal(waiting(), 2);
    openAll();
    assert.deepEqual(await Promise.all(running), ["done", "done", "done", "done"]);
    assert.deepEqual(order, [1, 2, 3, 4]);
    assert.equal(limiter.inFlight, 0);
  });

  it("refuses a queued check that waited longer than maxWaitMs, rather than letting its client time out", async () => {
    const limiter = new InFlightLimiter({ maxInFlight: 1, maxQueued: 10, maxWaitMs: 30 });
    const { work, openAll } = gated();
    const first = limiter.run(work);
    const started = performance.now();
    await assert.rejects(limiter.run(work), isBusy);
    assert.ok(performance.now() - started >= 25, "refused only once its wait was over");
    assert.equal(limiter.queued, 0);
    openAll();
    assert.equal(await first, "done");
    // The refused check never ran, and the slot is free again.
    assert.equal(await limiter.run(() => Promise.resolve(7)), 7);
  });

  it("with maxQueued 0, refuses at once when every slot is taken", async () => {
    const limiter = new InFlightLimiter({ maxInFlight: 1, maxQueued: 0, maxWaitMs: 1_000 });
    const { work, openAll } = gated();
    const first = limiter.run(work);
    await assert.rejects(limiter.run(work), isBusy);
    openAll();
    assert.equal(await first, "done");
  });

  it("frees the slot when a check fails, and hands it to the next in the queue", async () => {
    const limiter = new InFlightLimiter({ maxInFlight: 1, maxQueued: 1, maxWaitMs: 1_000 });
    let fail!: (error: Error) => void;
    const failing = limiter.run(() => new Promise((_, reject) => (fail = reject)));
    const next = limiter.run(() => Promise.resolve(7));
    fail(new Error("chain down"));
    await assert.rejects(failing, /chain down/);
    assert.equal(await next, 7);
    assert.equal(limiter.inFlight, 0);
  });
});
