/**
 * The demo world's definition: who takes part, what they make, which batches exist and what
 * happened to them, on a timeline counted in days before the moment of seeding. seed.ts plays
 * it onto a fresh local chain. Names, GLNs and GTINs are fictitious; the GS1 numbers use the
 * 952 prefix GS1 reserves for demonstrations, with real check digits.
 */
import { gs1CheckDigit } from "@pedigree/gs1";

/** Hardhat's well-known test mnemonic: its accounts exist on every local chain and hold test funds only. */
export const DEMO_MNEMONIC = "test test test test test test test test test test test junk";

/** GS1 key with its check digit appended. */
function withCheckDigit(body: string): string {
  const check = gs1CheckDigit(body);
  if (check === undefined) throw new RangeError(`${body} is not all digits`);
  return body + String(check);
}

/** GTIN-14 (indicator 0) of item `item` under a company prefix: prefix + item fill 12 digits. */
function gtinOf(prefix: string, item: string): string {
  return withCheckDigit(`0${prefix}${item.padStart(12 - prefix.length, "0")}`);
}

export type DemoRole = "administrator" | "manufacturer" | "distributor" | "pharmacy" | "regulator";

export interface DemoParty {
  key: string;
  /** Account index in the test mnemonic. */
  index: number;
  role: DemoRole;
  name: string;
  gln: string;
  /** GS1 company prefixes (manufacturers). */
  prefixes?: string[];
}

export const PARTIES = {
  admin: {
    key: "admin",
    index: 0,
    role: "administrator",
    name: "Pedigree Network Operator",
    gln: withCheckDigit("952000000000"),
  },
  acme: {
    key: "acme",
    index: 1,
    role: "manufacturer",
    name: "Acme Pharma AG",
    gln: withCheckDigit("952012000001"),
    prefixes: ["952012"],
  },
  borealis: {
    key: "borealis",
    index: 2,
    role: "manufacturer",
    name: "Borealis Laboratories Ltd",
    gln: withCheckDigit("952034500001"),
    prefixes: ["9520345"],
  },
  northwind: {
    key: "northwind",
    index: 3,
    role: "distributor",
    name: "Northwind Wholesale",
    gln: withCheckDigit("952056000003"),
  },
  central: {
    key: "central",
    index: 4,
    role: "pharmacy",
    name: "Central Pharmacy",
    gln: withCheckDigit("952078000004"),
  },
  harbour: {
    key: "harbour",
    index: 5,
    role: "pharmacy",
    name: "Harbour Pharmacy",
    gln: withCheckDigit("952078000011"),
  },
  agency: {
    key: "agency",
    index: 6,
    role: "regulator",
    name: "National Medicines Agency",
    gln: withCheckDigit("952090000006"),
  },
} as const satisfies Record<string, DemoParty>;

export type PartyKey = keyof typeof PARTIES;

export interface DemoProduct {
  key: string;
  manufacturer: PartyKey;
  gtin: string;
  name: string;
  strength: string;
  dosageForm: string;
}

export const PRODUCTS = {
  amoxicillin: {
    key: "amoxicillin",
    manufacturer: "acme",
    gtin: gtinOf("952012", "10001"),
    name: "Amoxicillin",
    strength: "500 mg",
    dosageForm: "capsules",
  },
  metformin: {
    key: "metformin",
    manufacturer: "acme",
    gtin: gtinOf("952012", "10002"),
    name: "Metformin hydrochloride",
    strength: "850 mg",
    dosageForm: "film-coated tablets",
  },
  atorvastatin: {
    key: "atorvastatin",
    manufacturer: "acme",
    gtin: gtinOf("952012", "10003"),
    name: "Atorvastatin",
    strength: "20 mg",
    dosageForm: "film-coated tablets",
  },
  salbutamol: {
    key: "salbutamol",
    manufacturer: "borealis",
    gtin: gtinOf("9520345", "2001"),
    name: "Salbutamol",
    strength: "100 micrograms per dose",
    dosageForm: "pressurised inhalation, suspension",
  },
  ibuprofen: {
    key: "ibuprofen",
    manufacturer: "borealis",
    gtin: gtinOf("9520345", "2002"),
    name: "Ibuprofen",
    strength: "400 mg",
    dosageForm: "film-coated tablets",
  },
} as const satisfies Record<string, DemoProduct>;

export type ProductKey = keyof typeof PRODUCTS;

/** A GTIN under Acme's prefix that no product uses: the "unknown product" example. */
export const UNREGISTERED_GTIN = gtinOf("952012", "19999");

export interface DemoBatch {
  key: string;
  product: ProductKey;
  lot: string;
  packs: number;
  /** Days before seeding when it was registered. */
  registeredDaysAgo: number;
  /** Expiry, in days from the moment of seeding (negative: already expired). */
  expiresInDays: number;
}

export const BATCHES = {
  /** Expired six weeks ago with stock still at a pharmacy. */
  amoxicillin: {
    key: "amoxicillin",
    product: "amoxicillin",
    lot: "AMX24A17",
    packs: 1200,
    registeredDaysAgo: 380,
    expiresInDays: -45,
  },
  /** The everyday batch: distributed, dispensed at both pharmacies, some destroyed. */
  metformin: {
    key: "metformin",
    product: "metformin",
    lot: "MET25B03",
    packs: 2000,
    registeredDaysAgo: 200,
    expiresInDays: 540,
  },
  /** Recalled by Acme with stock still at Harbour Pharmacy. */
  atorvastatin: {
    key: "atorvastatin",
    product: "atorvastatin",
    lot: "ATV25C11",
    packs: 1000,
    registeredDaysAgo: 150,
    expiresInDays: 700,
  },
  /** Suspended by the agency while a defect is investigated. */
  salbutamol: {
    key: "salbutamol",
    product: "salbutamol",
    lot: "SAL25D08",
    packs: 1500,
    registeredDaysAgo: 120,
    expiresInDays: 600,
  },
  /** Recent: shipments in every state. */
  ibuprofen: {
    key: "ibuprofen",
    product: "ibuprofen",
    lot: "IBU25E21",
    packs: 1000,
    registeredDaysAgo: 60,
    expiresInDays: 900,
  },
} as const satisfies Record<string, DemoBatch>;

export type BatchKeyName = keyof typeof BATCHES;

/** Serial seed per batch: reproducible demo serials (a real batch uses 32 secret random bytes). */
export function demoSerialSeed(lot: string): string {
  return `pedigree demo world, lot ${lot}`;
}

export const RECALL_REASON = "Nitrosamine impurity (NDMA) above the acceptable intake in stability testing";
export const SUSPENSION_REASON = "Dose counter defect reported; under investigation by the agency";
export const REJECTION_REASON = "Temperature logger shows an excursion above 25 °C in transit";
