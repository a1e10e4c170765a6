/**
 * The dates verification words carry (headlines, advice, alert messages) read as people write
 * them, in the ledger's UTC days; the verdict tests on a real chain check them in context.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alertDetail, humanDate, wordsFor } from "../src/server/verify/words.ts";

describe("verification words: dates", () => {
  it("writes ISO dates and timestamps as day, month and year (UTC)", () => {
    assert.equal(humanDate("2026-10-31"), "31 October 2026");
    assert.equal(humanDate("2026-10-31T17:18:04.000Z"), "31 October 2026");
    // Just after midnight UTC is still the UTC day, whatever the server's time zone.
    assert.equal(humanDate("2027-01-01T00:00:01Z"), "1 January 2027");
    assert.equal(humanDate("2028-02-29"), "29 February 2028");
  });

  it("leaves a value that is not a date as it came", () => {
    assert.equal(humanDate("not a date"), "not a date");
    assert.equal(humanDate(""), "");
  });

  it("alert details name the state and the day, never a raw timestamp", () => {
    const by = { address: "0x0000000000000000000000000000000000000001", name: "Central Pharmacy" };
    assert.equal(
      alertDetail({ decommissioned: { state: "DISPENSED", by, at: "2026-10-31T17:18:04.000Z" } }),
      "It was dispensed on 31 October 2026 by Central Pharmacy.",
    );
    assert.equal(
      alertDetail({ decommissioned: { state: "STOLEN", by: { address: by.address }, at: "2026-03-02T09:00:00.000Z" } }),
      "It was reported stolen on 2 March 2026.",
    );
    assert.equal(
      alertDetail({ mismatch: { field: "expiry", label: "2029-11-30", record: "2030-12-31" } }),
      "The label's expiry date is 30 November 2029; the record says 31 December 2030.",
    );
    assert.equal(
      alertDetail({ mismatch: { field: "lot", label: "A2", record: ["A1", "A3"] } }),
      "The label's lot is A2; the record says lot A1, A3.",
    );
    assert.equal(alertDetail({}), "");
  });

  it("the expired headline gives the date in words, for the batch expiry when no expiry date is given", () => {
    const expired = wordsFor({ verdict: "EXPIRED", facts: { expiredOn: "2026-05-31" }, alert: false }, "dispense");
    assert.equal(expired.headline, "This pack expired on 31 May 2026.");
    const fromBatch = wordsFor(
      { verdict: "EXPIRED", facts: { batch: { lot: "A1", expiry: "2026-04-30", status: "ACTIVE" } }, alert: false },
      "dispense",
    );
    assert.equal(fromBatch.headline, "This pack expired on 30 April 2026.");
    const none = wordsFor({ verdict: "EXPIRED", facts: {}, alert: false }, "dispense");
    assert.equal(none.headline, "This pack has expired.");
  });
});
