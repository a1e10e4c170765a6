import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseGs1 } from "@pedigree/gs1";
import type { BatchStatusName, PackStateName } from "../src/enums.ts";
import {
  VERDICTS,
  decideVerdict,
  verdictFromContract,
  type ChainReading,
  type ManifestReading,
  type Verdict,
  type VerdictInput,
} from "../src/verdict.ts";
import { BATCH_ID, GTIN, LOT, acme, central } from "./fixtures.ts";

const NOW = new Date("2026-06-15T12:00:00Z");
const SERIAL = "PK2F7Q";
const DISPENSED_AT = 1_780_000_000; // 2026-05-28T20:26:40Z
const PRODUCT = { name: "Amoxicillin", strength: "500 mg", dosageForm: "capsule", manufacturer: acme };

/** A verification situation, each field one condition a verdict depends on. */
interface Scenario {
  invalidCode?: boolean;
  unavailable?: "chain" | "manifest" | "both";
  unknown?: "product" | "batch";
  manifest?: "found" | "absent" | "otherLot";
  expiryMismatch?: boolean;
  status?: Exclude<BatchStatusName, "NONE">;
  state?: PackStateName;
  /** The pack's place is quarantined (package-level ledger). */
  quarantined?: boolean;
  expired?: boolean;
  purpose?: "verify" | "dispense";
}

function input(s: Scenario): VerdictInput {
  const batchExpiry = s.expired ? 20260531 : 20301231;
  const labelExpiry = s.expiryMismatch ? (s.expired ? "260430" : "301130") : s.expired ? "260531" : "301231";
  const code = s.invalidCode
    ? parseGs1(`(01)09520123456789(17)${labelExpiry}(10)${LOT}(21)${SERIAL}`, { now: NOW })
    : parseGs1(`(01)${GTIN}(17)${labelExpiry}(10)${LOT}(21)${SERIAL}`, { now: NOW });
  const status = s.status ?? "ACTIVE";
  const state = s.state ?? "ACTIVE";
  const chain: ChainReading =
    s.unavailable === "chain" || s.unavailable === "both"
      ? { status: "unavailable", reason: "RPC timeout after 3 s" }
      : {
          status: "ok",
          ...(s.unknown === "product" ? {} : { product: PRODUCT }),
          ...(s.unknown !== undefined
            ? {}
            : {
                batch: {
                  batchId: BATCH_ID,
                  lot: LOT,
                  status,
                  expiry: batchExpiry,
                  manufacturer: acme,
                  packCount: 64,
                  holders: [central],
                  ...(status === "RECALLED"
                    ? { recall: { reason: "contaminated excipient", by: acme, at: 1_781_000_000 } }
                    : {}),
                  ...(status === "SUSPENDED" ? { suspension: { reason: "assay out of specification" } } : {}),
                  ...(status === "QUARANTINED" ? { quarantine: { reason: "suspect product", by: acme } } : {}),
                },
              }),
          ...(state === "ACTIVE"
            ? s.quarantined
              ? { pack: { state, quarantined: true } }
              : {}
            : { pack: { state, by: central, at: DISPENSED_AT } }),
        };
  const where = s.manifest ?? "found";
  const manifest: ManifestReading =
    s.unavailable === "manifest" || s.unavailable === "both"
      ? { status: "unavailable", reason: "database unreachable" }
      : where === "found"
        ? { status: "ok", found: true, index: 7 }
        : { status: "ok", found: false, ...(where === "otherLot" ? { otherLots: ["B9999"] } : {}) };
  return { code, chain, manifest, now: NOW, ...(s.purpose ? { purpose: s.purpose } : {}) };
}

const decide = (s: Scenario) => decideVerdict(input(s));

/** Each verdict's condition, highest precedence first. Conditions in the same group cannot hold together. */
const CONDITIONS: { name: string; verdict: Verdict; group: string; scenario: Scenario }[] = [
  { name: "INVALID_CODE", verdict: "INVALID_CODE", group: "code", scenario: { invalidCode: true } },
  { name: "UNAVAILABLE", verdict: "UNAVAILABLE", group: "sources", scenario: { unavailable: "chain" } },
  { name: "UNKNOWN_PRODUCT", verdict: "UNKNOWN_PRODUCT", group: "records", scenario: { unknown: "product" } },
  {
    name: "MISMATCH (serial of another lot)",
    verdict: "MISMATCH",
    group: "manifest",
    scenario: { manifest: "otherLot" },
  },
  { name: "UNKNOWN_SERIAL", verdict: "UNKNOWN_SERIAL", group: "manifest", scenario: { manifest: "absent" } },
  { name: "MISMATCH (expiry)", verdict: "MISMATCH", group: "label", scenario: { expiryMismatch: true } },
  { name: "RECALLED", verdict: "RECALLED", group: "status", scenario: { status: "RECALLED" } },
  { name: "SUSPENDED", verdict: "SUSPENDED", group: "status", scenario: { status: "SUSPENDED" } },
  {
    name: "QUARANTINED (batch)",
    verdict: "QUARANTINED",
    group: "status",
    scenario: { status: "QUARANTINED" },
  },
  // A pack's place is one: quarantined, or decommissioned, never both.
  { name: "QUARANTINED (pack)", verdict: "QUARANTINED", group: "pack", scenario: { quarantined: true } },
  { name: "DECOMMISSIONED", verdict: "DECOMMISSIONED", group: "pack", scenario: { state: "DESTROYED" } },
  { name: "EXPIRED", verdict: "EXPIRED", group: "expiry", scenario: { expired: true } },
  { name: "DISPENSED", verdict: "DISPENSED", group: "pack", scenario: { state: "DISPENSED" } },
];

describe("decideVerdict: every verdict", () => {
  it("GENUINE: a known, active, unexpired pack, with what explains it", () => {
    const { verdict, facts, alert } = decide({});
    assert.equal(verdict, "GENUINE");
    assert.equal(alert, false);
    assert.deepEqual(facts, {
      gtin: GTIN,
      lot: LOT,
      serial: SERIAL,
      labelExpiry: "2030-12-31",
      product: { gtin: GTIN, name: "Amoxicillin", strength: "500 mg", dosageForm: "capsule" },
      manufacturer: acme,
      batch: { batchId: BATCH_ID, lot: LOT, expiry: "2030-12-31", status: "ACTIVE", packCount: 64 },
      holders: [central],
      packIndex: 7,
    });
  });

  for (const condition of CONDITIONS) {
    it(`${condition.name} on its own`, () => assert.equal(decide(condition.scenario).verdict, condition.verdict));
  }

  it("DISPENSED: when and by whom; an alert only when scanned to dispense again", () => {
    const result = decide({ state: "DISPENSED" });
    assert.deepEqual(result.facts.dispensed, { at: "2026-05-28T20:26:40.000Z", by: central });
    assert.equal(result.facts.decommissioned, undefined);
    assert.equal(result.alert, false);
    assert.equal(decide({ state: "DISPENSED", purpose: "dispense" }).alert, true);
  });

  it("DECOMMISSIONED: destroyed, stolen, sample, exported and locked, with the state, when and by whom", () => {
    for (const state of ["DESTROYED", "STOLEN", "SAMPLE", "EXPORTED", "LOCKED"] as const) {
      const result = decide({ state });
      assert.equal(result.verdict, "DECOMMISSIONED", state);
      assert.deepEqual(result.facts.decommissioned, { state, at: "2026-05-28T20:26:40.000Z", by: central });
      assert.equal(result.alert, false);
      assert.equal(decide({ state, purpose: "dispense" }).alert, true);
    }
  });

  it("QUARANTINED: the batch's quarantine with its reason, or the pack's own; no alert, even to dispense", () => {
    const batch = decide({ status: "QUARANTINED" });
    assert.deepEqual(batch.facts.quarantine, { reason: "suspect product", by: acme });
    assert.equal(batch.alert, false);
    const pack = decide({ quarantined: true, purpose: "dispense" });
    assert.equal(pack.verdict, "QUARANTINED");
    assert.deepEqual(pack.facts.quarantine, { pack: true });
    assert.equal(pack.alert, false);
    assert.equal(decide({}).facts.quarantine, undefined);
  });

  it("RECALLED and SUSPENDED: the reason, and a dispensed pack still says when it was dispensed", () => {
    const recalled = decide({ status: "RECALLED", state: "DISPENSED" });
    assert.equal(recalled.verdict, "RECALLED");
    assert.deepEqual(recalled.facts.recall, {
      reason: "contaminated excipient",
      at: "2026-06-09T10:13:20.000Z",
      by: acme,
    });
    assert.deepEqual(recalled.facts.dispensed, { at: "2026-05-28T20:26:40.000Z", by: central });
    const suspended = decide({ status: "SUSPENDED" });
    assert.deepEqual(suspended.facts.suspension, { reason: "assay out of specification" });
    assert.equal(suspended.facts.batch?.status, "SUSPENDED");
    const noEvent = decideVerdict({
      ...input({}),
      chain: { status: "ok", product: PRODUCT, batch: { lot: LOT, status: "RECALLED", expiry: 20301231 } },
    });
    assert.deepEqual([noEvent.verdict, noEvent.facts.recall], ["RECALLED", {}]);
  });

  it("EXPIRED: the batch's expiry is before today (UTC); the expiry day itself is still valid", () => {
    assert.equal(decide({ expired: true }).facts.expiredOn, "2026-05-31");
    const onTheDay = { ...input({ expired: true }), now: new Date("2026-05-31T23:59:59Z") };
    assert.equal(decideVerdict(onTheDay).verdict, "GENUINE");
    assert.equal(decideVerdict({ ...onTheDay, now: new Date("2026-06-01T00:00:00Z") }).verdict, "EXPIRED");
  });

  it("reads expiry day 00 as the month's last day, on the label and in the record", () => {
    const base = input({});
    const chain = base.chain as Extract<ChainReading, { status: "ok" }>;
    const dd00 = { ...chain, batch: { ...chain.batch!, expiry: 20301200 } };
    assert.equal(decideVerdict({ ...base, chain: dd00 }).verdict, "GENUINE");
    const label00 = parseGs1(`(01)${GTIN}(17)301200(10)${LOT}(21)${SERIAL}`, { now: NOW });
    assert.equal(decideVerdict({ ...base, code: label00 }).verdict, "GENUINE");
    assert.equal(decideVerdict({ ...base, code: label00, chain: dd00 }).facts.batch?.expiry, "2030-12-31");
  });

  it("MISMATCH: names the field, the label's value and the record's", () => {
    const expiry = decide({ expiryMismatch: true });
    assert.deepEqual(expiry.facts.mismatch, { field: "expiry", label: "2030-11-30", record: "2030-12-31" });
    assert.equal(expiry.alert, true);
    const otherLot = decide({ manifest: "otherLot" });
    assert.deepEqual(otherLot.facts.mismatch, { field: "lot", label: LOT, record: ["B9999"] });
    assert.equal(otherLot.alert, true);
    // The caller found the batch from the serial, and the label names another lot.
    const base = input({});
    const wrongLot = parseGs1(`(01)${GTIN}(17)301231(10)Z0000(21)${SERIAL}`, { now: NOW });
    const result = decideVerdict({ ...base, code: wrongLot });
    assert.equal(result.verdict, "MISMATCH");
    assert.deepEqual(result.facts.mismatch, { field: "lot", label: "Z0000", record: LOT });
  });

  it("UNKNOWN_PRODUCT: says whether the GTIN or only the batch is unknown", () => {
    const product = decide({ unknown: "product" });
    assert.deepEqual([product.verdict, product.facts.unknown, product.alert], ["UNKNOWN_PRODUCT", "product", true]);
    const batch = decide({ unknown: "batch" });
    assert.deepEqual([batch.verdict, batch.facts.unknown], ["UNKNOWN_PRODUCT", "batch"]);
    assert.deepEqual(batch.facts.product?.name, "Amoxicillin");
    const none = decideVerdict({
      ...input({}),
      chain: { status: "ok", product: PRODUCT, batch: { lot: LOT, status: "NONE", expiry: 0 } },
    });
    assert.deepEqual(
      [none.verdict, none.facts.unknown],
      ["UNKNOWN_PRODUCT", "batch"],
      "status NONE is an unknown batch",
    );
  });

  it("UNKNOWN_SERIAL: an alert, with the batch's facts", () => {
    const result = decide({ manifest: "absent" });
    assert.deepEqual([result.verdict, result.alert, result.facts.batch?.lot], ["UNKNOWN_SERIAL", true, LOT]);
    assert.equal(result.facts.packIndex, undefined);
  });

  it("a code without a lot: the batch the caller found from the serial decides; none found is an unknown serial", () => {
    const base = input({});
    const noLot = parseGs1(`(01)${GTIN}(21)${SERIAL}`, { now: NOW });
    assert.equal(decideVerdict({ ...base, code: noLot }).verdict, "GENUINE");
    const nowhere = decideVerdict({
      ...base,
      code: noLot,
      chain: { status: "ok", product: PRODUCT },
      manifest: { status: "ok", found: false },
    });
    assert.equal(nowhere.verdict, "UNKNOWN_SERIAL");
  });

  it("UNAVAILABLE: lists every source that could not be read, never an alert", () => {
    const both = decide({ unavailable: "both" });
    assert.equal(both.verdict, "UNAVAILABLE");
    assert.equal(both.alert, false);
    assert.deepEqual(both.facts.unavailable, [
      { source: "chain", reason: "RPC timeout after 3 s" },
      { source: "manifest", reason: "database unreachable" },
    ]);
    assert.deepEqual(decide({ unavailable: "manifest" }).facts.unavailable, [
      { source: "manifest", reason: "database unreachable" },
    ]);
    const noReason = decideVerdict({ ...input({}), manifest: { status: "unavailable" } });
    assert.match(noReason.facts.unavailable?.[0]?.reason ?? "", /could not be read/);
  });

  it("UNAVAILABLE whenever a source cannot be read, whatever else holds: never a counterfeit verdict", () => {
    const scenario = fc.record({
      unavailable: fc.constantFrom("chain", "manifest", "both") as fc.Arbitrary<Scenario["unavailable"]>,
      unknown: fc.constantFrom(undefined, "product", "batch") as fc.Arbitrary<Scenario["unknown"]>,
      manifest: fc.constantFrom("found", "absent", "otherLot") as fc.Arbitrary<Scenario["manifest"]>,
      expiryMismatch: fc.boolean(),
      status: fc.constantFrom("ACTIVE", "SUSPENDED", "RECALLED") as fc.Arbitrary<Scenario["status"]>,
      state: fc.constantFrom(
        "ACTIVE",
        "DISPENSED",
        "DESTROYED",
        "STOLEN",
        "SAMPLE",
        "EXPORTED",
        "LOCKED",
      ) as fc.Arbitrary<PackStateName>,
      expired: fc.boolean(),
      purpose: fc.constantFrom("verify", "dispense") as fc.Arbitrary<Scenario["purpose"]>,
    });
    fc.assert(
      fc.property(scenario, (s) => {
        const result = decide(s);
        assert.equal(result.verdict, "UNAVAILABLE");
        assert.equal(result.alert, false);
      }),
      { numRuns: 300 },
    );
  });

  it("INVALID_CODE: the parser's error, or a code that names no pack", () => {
    const bad = decide({ invalidCode: true });
    assert.equal(bad.facts.codeError?.code, "GTIN_CHECK_DIGIT");
    assert.equal(bad.alert, false);
    const noSerial = decideVerdict({ ...input({}), code: parseGs1(`(01)${GTIN}(10)${LOT}`) });
    assert.deepEqual([noSerial.verdict, noSerial.facts.codeError?.code], ["INVALID_CODE", "MISSING_SERIAL"]);
    const sscc = decideVerdict({ ...input({}), code: parseGs1("(00)106141411234567897") });
    assert.deepEqual([sscc.verdict, sscc.facts.codeError?.code], ["INVALID_CODE", "MISSING_GTIN"]);
    const garbage = decideVerdict({ ...input({}), code: parseGs1("hello") });
    assert.equal(garbage.facts.codeError?.code, "UNRECOGNISED_FORMAT");
  });

  it("covers every verdict", () => {
    const seen = new Set<Verdict>([decide({}).verdict, ...CONDITIONS.map((c) => decide(c.scenario).verdict)]);
    assert.deepEqual([...seen].sort(), [...VERDICTS].sort());
  });
});

describe("decideVerdict: every precedence pair", () => {
  for (const [i, higher] of CONDITIONS.entries()) {
    for (const lower of CONDITIONS.slice(i + 1)) {
      if (higher.group === lower.group) continue; // they cannot hold together (one status, one pack state, one manifest answer)
      it(`${higher.name} over ${lower.name}`, () => {
        const result = decide({ ...lower.scenario, ...higher.scenario });
        assert.equal(result.verdict, higher.verdict);
        if (higher.name.startsWith("MISMATCH")) {
          assert.equal(result.facts.mismatch?.field, higher.name.includes("expiry") ? "expiry" : "lot");
        }
      });
    }
  }
  it("MISMATCH of lot (serial known under another lot) rather than UNKNOWN_SERIAL", () => {
    assert.equal(decide({ manifest: "otherLot" }).verdict, "MISMATCH");
  });
  it("RECALLED over SUSPENDED and DECOMMISSIONED over DISPENSED are settled by the data: one status, one pack state", () => {
    assert.equal(decide({ status: "RECALLED", state: "DISPENSED" }).verdict, "RECALLED");
    assert.equal(decide({ status: "SUSPENDED", state: "LOCKED" }).verdict, "SUSPENDED");
  });
});

describe("the contract's Verdict numbers", () => {
  it("map in IPedigreeLedger.Verdict order; UnknownBatch is UNKNOWN_PRODUCT", () => {
    const expected: Verdict[] = [
      "GENUINE",
      "DISPENSED",
      "DECOMMISSIONED",
      "RECALLED",
      "SUSPENDED",
      "EXPIRED",
      "MISMATCH",
      "UNKNOWN_SERIAL",
      "UNKNOWN_PRODUCT",
      "UNKNOWN_PRODUCT",
    ];
    expected.forEach((verdict, n) => {
      assert.equal(verdictFromContract(n), verdict);
      assert.equal(verdictFromContract(BigInt(n)), verdict);
    });
    for (const bad of [10, -1, 1.5])
      assert.throws(() => verdictFromContract(bad), /not one the ledger defines \(0 to 9\)/);
  });
});
