/**
 * The write API's operations: each takes plain arguments (GTINs, lots, serials, SSCCs, dates as
 * people write them), needs one token scope, and becomes one call of the ledger the deployment
 * runs. The count ledger of today and the package-level ledger each have their table; an
 * operation the running ledger lacks is refused with the list of those it has.
 */
import { isCset82, isValidGtin, isValidSscc } from "@pedigree/gs1";
import { yyyymmddFromIsoDate } from "@pedigree/ledger";
import { getAddress, isAddress, type Hex } from "viem";
import { z } from "zod";
import { ApiError } from "../api/errors.ts";
import type { AppContext, LedgerKind } from "../context.ts";
import { lookupSerial } from "../manifests/store.ts";
import type { TokenScope } from "../auth/tokens.ts";
import {
  countLedgerCall,
  packageLedgerCall,
  type CountOperationName,
  type CountWrite,
  type PackageOperationName,
  type PackageWrite,
} from "../../lib/tx/writes.ts";

export interface OperationCall {
  functionName: string;
  args: readonly unknown[];
}

export interface Operation {
  scope: TokenScope;
  /** What it does, for messages ("ship goods"). */
  what: string;
  arguments: z.ZodType;
  call(ctx: AppContext, args: never): Promise<OperationCall>;
}

function operation<S extends z.ZodType>(spec: {
  scope: TokenScope;
  what: string;
  arguments: S;
  call(ctx: AppContext, args: z.output<S>): Promise<OperationCall> | OperationCall;
}): Operation {
  return { ...spec, call: async (ctx, args) => spec.call(ctx, args) };
}

// ------------------------------------------------------------------ plain values

const noControl = (text: string) => !/[\u0000-\u001f\u007f]/.test(text);
const gtin = z
  .string()
  .regex(/^\d{14}$/, "a GTIN-14: 14 digits")
  .refine(isValidGtin, "the GTIN's check digit is wrong");
const lot = z
  .string()
  .min(1, "a lot has 1 to 20 characters")
  .max(20, "a lot has 1 to 20 characters")
  .refine(isCset82, "a lot uses GS1 characters only: letters, digits and !\"%&'()*+,-./:;<=>?_");
const serial = z
  .string()
  .min(1, "a serial has 1 to 20 characters")
  .max(20, "a serial has 1 to 20 characters")
  .refine(isCset82, "a serial uses GS1 characters only");
const address = z
  .string()
  .refine((value) => isAddress(value, { strict: false }), "a 0x-address: 0x and 40 hex digits")
  .transform((value) => getAddress(value));
const bytes32 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, "0x and 64 hex digits")
  .transform((value) => value.toLowerCase() as Hex);
const text = (maxLength: number) =>
  z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(maxLength, `at most ${maxLength} characters`)
    .refine(noControl, "no control characters");
const reason = text(200);
const quantity = z.number().int("a whole number").min(1, "at least 1").max(Number.MAX_SAFE_INTEGER);
const expiry = z.union([
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "YYYY-MM-DD (DD = 00 for the last day of the month)")
    .transform((value) => yyyymmddFromIsoDate(value)),
  z.number().int().min(19700101).max(99991231),
]);
const reference = z
  .string()
  .min(1, "a reference (ASN number, order...) of 1 to 32 bytes")
  .refine((value) => new TextEncoder().encode(value).length <= 32, "at most 32 bytes")
  .refine(noControl, "no control characters");
const sscc = z
  .string()
  .regex(/^\d{18}$/, "an SSCC: 18 digits")
  .refine(isValidSscc, "the SSCC's check digit is wrong");
const prefixLength = z.number().int().min(6, "a GS1 company prefix has 6 to 12 digits").max(12);
const otherState = z.enum(["DESTROYED", "STOLEN", "SAMPLE", "EXPORTED", "LOCKED"]);
const outcome = z.enum(["CLEARED", "ILLEGITIMATE"]);

const batchArguments = { gtin, lot };
const countLine = z.object({ gtin, lot, quantity }).strict();
const countLines = z.array(countLine).min(1, "at least one line").max(100, "at most 100 lines");

/** A pack of the package-level ledger: by serial (looked up in the stored list) or position; `unit` is the case it is in. */
const packRef = z
  .object({ gtin, lot, serial: serial.optional(), index: z.number().int().min(0).optional(), unit: sscc.optional() })
  .strict()
  .refine(
    (pack) => (pack.serial === undefined) !== (pack.index === undefined),
    "name the pack by serial or by index, one of them",
  );
const items = {
  units: z.array(sscc).max(500, "at most 500 units").default([]),
  packs: z.array(packRef).max(500, "at most 500 packs").default([]),
};

/**
 * The count ledger's operations (and the two both ledgers share) build their calls with the
 * dashboard's own translation (lib/tx/writes.ts): a write the dashboard sends here and one its
 * wallet signs are the same call.
 */
const countOperation = <S extends z.ZodType>(
  name: CountOperationName,
  spec: { scope: TokenScope; what: string; arguments: S },
) =>
  operation({
    ...spec,
    call: (ctx, a) => countLedgerCall({ operation: name, arguments: a } as CountWrite, (pack) => packInList(ctx, pack)),
  });

const registerProduct = countOperation("register-product", {
  scope: "register-product",
  what: "register products",
  arguments: z.object({ gtin, name: text(64), strength: text(64), dosageForm: text(64) }).strict(),
});

const registerBatch = countOperation("register-batch", {
  scope: "register-batch",
  what: "register batches",
  arguments: z
    .object({
      gtin,
      lot,
      expiry,
      packCount: z.number().int().min(1).max(0xffff_ffff),
      serialsRoot: bytes32,
      documentHash: bytes32.optional(),
    })
    .strict(),
});

/** Batch steps are the same call on both ledgers. */
const recall = countOperation("recall", {
  scope: "recall",
  what: "recall batches",
  arguments: z.object({ ...batchArguments, reason }).strict(),
});
const suspendBatch = countOperation("suspend-batch", {
  scope: "recall",
  what: "suspend batches",
  arguments: z.object({ ...batchArguments, reason }).strict(),
});
const reinstateBatch = countOperation("reinstate-batch", {
  scope: "recall",
  what: "reinstate batches",
  arguments: z.object(batchArguments).strict(),
});

/** A serial's position (and proof) in its batch's stored serial list; 422 when the list or the serial is not there. */
async function packInList(ctx: AppContext, pack: { gtin: string; lot: string; serial: string }) {
  const found = await lookupSerial(ctx.db, pack);
  if (found.status === "no_manifest") {
    throw new ApiError(
      422,
      "SERIALS_NOT_STORED",
      `The serial list of lot ${pack.lot} of GTIN ${pack.gtin} is not on this server, so serial ${pack.serial} cannot be found in it. ` +
        "Its manufacturer uploads the list (POST /api/manifests).",
    );
  }
  if (found.status === "not_found") {
    throw new ApiError(
      422,
      "UNKNOWN_SERIAL",
      `Serial ${pack.serial} is not in the serial list of lot ${pack.lot} of GTIN ${pack.gtin}` +
        (found.otherLots.length > 0 ? ` (it is in lot ${found.otherLots.join(", ")})` : "") +
        ": check the pack's code. If the code is printed on a pack, set it aside as a potential falsification.",
      { details: { otherLots: found.otherLots } },
    );
  }
  return found;
}

// ------------------------------------------------------------------ the count ledger

const COUNT_OPERATIONS: Record<string, Operation> = {
  "register-product": registerProduct,
  "register-batch": registerBatch,
  ship: countOperation("ship", {
    scope: "ship",
    what: "ship goods",
    arguments: z.object({ to: address, reference, lines: countLines }).strict(),
  }),
  "cancel-shipment": countOperation("cancel-shipment", {
    scope: "ship",
    what: "cancel shipments",
    arguments: z.object({ shipmentId: bytes32, to: address, lines: countLines }).strict(),
  }),
  receive: countOperation("receive", {
    scope: "receive",
    what: "receive shipments",
    arguments: z.object({ shipmentId: bytes32, from: address, lines: countLines }).strict(),
  }),
  reject: countOperation("reject", {
    scope: "receive",
    what: "reject shipments",
    arguments: z.object({ shipmentId: bytes32, from: address, lines: countLines, reason }).strict(),
  }),
  dispense: countOperation("dispense", {
    scope: "dispense",
    what: "dispense packs",
    arguments: z.object({ ...batchArguments, serial }).strict(),
  }),
  decommission: countOperation("decommission", {
    scope: "decommission",
    what: "decommission packs",
    arguments: z.object({ ...batchArguments, serial, state: otherState }).strict(),
  }),
  reactivate: countOperation("reactivate", {
    scope: "dispense",
    what: "undo a dispense",
    arguments: z.object({ ...batchArguments, serial }).strict(),
  }),
  recall,
  "suspend-batch": suspendBatch,
  "reinstate-batch": reinstateBatch,
};

// ------------------------------------------------------------------ the package-level ledger

/**
 * The package ledger's operations build their calls with the dashboard's translation
 * (lib/tx/writes.ts, `packageLedgerCall`), as the count ledger's do.
 */
const packageOperation = <S extends z.ZodType>(
  name: PackageOperationName,
  spec: { scope: TokenScope; what: string; arguments: S },
) =>
  operation({
    ...spec,
    call: (ctx, a) =>
      packageLedgerCall({ ledger: "package", operation: name, arguments: a } as PackageWrite, (pack) =>
        packInList(ctx, pack),
      ),
  });

const PACKAGE_OPERATIONS: Record<string, Operation> = {
  "register-product": registerProduct,
  "register-batch": registerBatch,
  ship: packageOperation("ship", {
    scope: "ship",
    what: "ship goods",
    arguments: z.object({ to: address, reference, ...items }).strict(),
  }),
  "cancel-shipment": packageOperation("cancel-shipment", {
    scope: "ship",
    what: "cancel shipments",
    arguments: z.object({ shipmentId: bytes32, ...items }).strict(),
  }),
  receive: packageOperation("receive", {
    scope: "receive",
    what: "receive shipments",
    arguments: z
      .object({
        shipmentId: bytes32,
        ...items,
        rejected: z.object(items).strict().optional(),
        reason: reason.optional(),
      })
      .strict(),
  }),
  reject: packageOperation("reject", {
    scope: "receive",
    what: "reject shipments",
    arguments: z.object({ shipmentId: bytes32, ...items, reason }).strict(),
  }),
  "pack-range": packageOperation("pack-range", {
    scope: "pack",
    what: "pack cases",
    arguments: z.object({ sscc, prefixLength, ...batchArguments, count: quantity }).strict(),
  }),
  aggregate: packageOperation("aggregate", {
    scope: "pack",
    what: "pack units",
    arguments: z.object({ sscc, prefixLength, ...items }).strict(),
  }),
  disaggregate: packageOperation("disaggregate", {
    scope: "pack",
    what: "unpack units",
    arguments: z.object({ sscc, ...items }).strict(),
  }),
  dispense: packageOperation("dispense", {
    scope: "dispense",
    what: "dispense packs",
    arguments: z.object({ pack: packRef }).strict(),
  }),
  decommission: packageOperation("decommission", {
    scope: "decommission",
    what: "decommission packs",
    arguments: z.object({ pack: packRef, state: otherState }).strict(),
  }),
  reactivate: packageOperation("reactivate", {
    scope: "dispense",
    what: "undo a dispense",
    arguments: z.object({ pack: packRef }).strict(),
  }),
  quarantine: packageOperation("quarantine", {
    scope: "quarantine",
    what: "quarantine units and packs",
    arguments: z.object({ ...items, reason }).strict(),
  }),
  "end-quarantine": packageOperation("end-quarantine", {
    scope: "quarantine",
    what: "end quarantines",
    arguments: z.object({ ...items, outcome, reason }).strict(),
  }),
  "quarantine-batch": packageOperation("quarantine-batch", {
    scope: "quarantine",
    what: "quarantine batches",
    arguments: z.object({ ...batchArguments, reason }).strict(),
  }),
  "end-batch-quarantine": packageOperation("end-batch-quarantine", {
    scope: "quarantine",
    what: "end batch quarantines",
    arguments: z.object({ ...batchArguments, outcome, reason }).strict(),
  }),
  recall,
  "suspend-batch": suspendBatch,
  "reinstate-batch": reinstateBatch,
};

export function operationsFor(kind: LedgerKind | undefined): Record<string, Operation> {
  return kind === "package" ? PACKAGE_OPERATIONS : COUNT_OPERATIONS;
}
