/**
 * The contracts' enums (IPedigreeLedger.sol and IPedigreePackageLedger.sol, roles in IPedigreeRegistry.sol) as names. The
 * arrays are in declaration order, so index = the number the ABI carries (test/enums.test.ts reads the interfaces and
 * checks the order).
 */

export const ROLES = ["NONE", "REGULATOR", "MANUFACTURER", "DISTRIBUTOR", "PHARMACY"] as const;
export type RoleName = (typeof ROLES)[number];

/** QUARANTINED exists on the package-level ledger only. */
export const BATCH_STATUSES = ["NONE", "ACTIVE", "SUSPENDED", "RECALLED", "QUARANTINED"] as const;
export type BatchStatusName = (typeof BATCH_STATUSES)[number];

/** EU verification system pack states. Everything but ACTIVE is a decommissioned pack. */
export const PACK_STATES = ["ACTIVE", "DISPENSED", "DESTROYED", "STOLEN", "SAMPLE", "EXPORTED", "LOCKED"] as const;
export type PackStateName = (typeof PACK_STATES)[number];

/**
 * IPedigreePackageLedger.PlaceKind: where a pack or logistic unit is. FRESH is a pack nobody has moved yet (loose with its
 * manufacturer, or inside the range-packed case whose range holds it); the read model names the place it resolves to.
 */
export const PLACE_KINDS = [
  "FRESH",
  "HELD",
  "IN_UNIT",
  "IN_TRANSIT",
  "QUARANTINED",
  "DECOMMISSIONED",
  "DESTROYED",
] as const;
export type PlaceKindName = (typeof PLACE_KINDS)[number];

/** IPedigreePackageLedger.Aggregation, EPCIS's AggregationEvent actions. */
export const AGGREGATIONS = ["ADD", "DELETE"] as const;
export type AggregationName = (typeof AGGREGATIONS)[number];

/** IPedigreePackageLedger.QuarantineOutcome. */
export const QUARANTINE_OUTCOMES = ["CLEARED", "ILLEGITIMATE"] as const;
export type QuarantineOutcomeName = (typeof QUARANTINE_OUTCOMES)[number];

/** IPedigreeLedger.Verdict, as the contract names it. */
export const CONTRACT_VERDICTS = [
  "Genuine",
  "Dispensed",
  "Decommissioned",
  "Recalled",
  "Suspended",
  "Expired",
  "Mismatch",
  "UnknownSerial",
  "UnknownBatch",
  "UnknownProduct",
] as const;
export type ContractVerdictName = (typeof CONTRACT_VERDICTS)[number];

/** IPedigreePackageLedger.Verdict: the count ledger's, with Quarantined after Suspended. */
export const PACKAGE_CONTRACT_VERDICTS = [
  "Genuine",
  "Dispensed",
  "Decommissioned",
  "Recalled",
  "Suspended",
  "Quarantined",
  "Expired",
  "Mismatch",
  "UnknownSerial",
  "UnknownBatch",
  "UnknownProduct",
] as const;
export type PackageContractVerdictName = (typeof PACKAGE_CONTRACT_VERDICTS)[number];

function nameOf<T extends string>(names: readonly T[], value: number | bigint, what: string): T {
  const index = typeof value === "bigint" ? Number(value) : value;
  const name = Number.isInteger(index) ? names[index] : undefined;
  if (name === undefined) {
    throw new RangeError(`${what} ${String(value)} is not one the ledger defines (0 to ${names.length - 1})`);
  }
  return name;
}

function numberOf<T extends string>(names: readonly T[], name: T, what: string): number {
  const index = names.indexOf(name);
  if (index < 0) throw new RangeError(`'${name}' is not a ${what} (${names.join(", ")})`);
  return index;
}

export const roleName = (value: number | bigint): RoleName => nameOf(ROLES, value, "Role");
export const batchStatusName = (value: number | bigint): BatchStatusName =>
  nameOf(BATCH_STATUSES, value, "BatchStatus");
export const packStateName = (value: number | bigint): PackStateName => nameOf(PACK_STATES, value, "PackState");
export const contractVerdictName = (value: number | bigint): ContractVerdictName =>
  nameOf(CONTRACT_VERDICTS, value, "Verdict");
export const packageContractVerdictName = (value: number | bigint): PackageContractVerdictName =>
  nameOf(PACKAGE_CONTRACT_VERDICTS, value, "Verdict");
export const placeKindName = (value: number | bigint): PlaceKindName => nameOf(PLACE_KINDS, value, "PlaceKind");
export const aggregationName = (value: number | bigint): AggregationName => nameOf(AGGREGATIONS, value, "Aggregation");
export const quarantineOutcomeName = (value: number | bigint): QuarantineOutcomeName =>
  nameOf(QUARANTINE_OUTCOMES, value, "QuarantineOutcome");

/** The number to pass to the contract (e.g. `decommission(..., packStateNumber("DISPENSED"))`). */
export const packStateNumber = (name: PackStateName): number => numberOf(PACK_STATES, name, "pack state");
export const roleNumber = (name: RoleName): number => numberOf(ROLES, name, "role");
export const batchStatusNumber = (name: BatchStatusName): number => numberOf(BATCH_STATUSES, name, "batch status");
export const quarantineOutcomeNumber = (name: QuarantineOutcomeName): number =>
  numberOf(QUARANTINE_OUTCOMES, name, "quarantine outcome");
