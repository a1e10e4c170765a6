/**
 * Saleable returns: a distributor verifies each pack a pharmacy sent back with the manufacturer's
 * responder (the lookup directory names it, ./directory.ts; the distributor's credential for it,
 * ./requester-credentials.ts) before it takes the packs back into saleable stock (DSCSA). Each
 * answer is recorded with the return, the latest per shipment and pack.
 *
 * - GET /api/shipments/{id}/verifications: the return's packs verified so far and whether it can be
 *   received (the recipient only);
 * - POST /api/shipments/{id}/verifications {code} or {gtin, lot, serial, expiry?}: verifies one pack
 *   (a distributor, the shipment's recipient, while it is pending).
 *
 * A return is a shipment a PHARMACY sent to a DISTRIBUTOR. It is receivable once every unit of each
 * of its lines has a passing answer (verified, and nothing the requester must act on: ./client.ts's
 * answerPasses) and no answer about one of its packs failed. The write API refuses to receive a
 * return that is not (409 RETURN_NOT_VERIFIED, requireReturnVerified), and the dashboard disables
 * its button saying why. On the count ledger, whose shipments move units of batches, not named
 * packs, passing answers are counted per line. On the package-level ledger the return names its
 * packs (loose, or inside the units shipped): an answer counts for the pack it names only, a pack
 * the return does not carry is refused (PACK_NOT_IN_SHIPMENT), the status lists each pack still to
 * verify, and a partial receipt needs passing answers for the packs it receives only. A batch whose
 * serial list is not stored here cannot name its packs by serial: its line is counted as on the
 * count ledger.
 */
import { randomUUID } from "node:crypto";
import { isCset82, isValidGtin, parseGs1 } from "@pedigree/gs1";
import { batchIdOf } from "@pedigree/ledger";
import { and, asc, eq } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import { packCodeProblem } from "../../lib/pack-code.ts";
import { ApiError, jsonResponse } from "../api/errors.ts";
import { requireContentType } from "../auth/origin.ts";
import { readBodyAs } from "../auth/requestBody.ts";
import { requireParty } from "../auth/session.ts";
import type { AppContext } from "../context.ts";
import type { Executor } from "../db/database.ts";
import { batches, participants, products, returnVerifications, shipmentLines } from "../db/schema.ts";
import { shipmentContents } from "../read/custody.ts";
import { parseQuery } from "../read/input.ts";
import { serialsOfPacks } from "../manifests/store.ts";
import { answerPasses, requestVerification } from "./client.ts";
import { responderFor } from "./directory.ts";
import { requesterToken } from "./requester-credentials.ts";
import type { ReturnLineStatus, ReturnOutcome, ReturnStatus, ReturnVerificationView } from "../../lib/api/vrs.ts";

export type { ReturnLineStatus, ReturnOutcome, ReturnStatus, ReturnVerificationView };

const view = (row: typeof returnVerifications.$inferSelect): ReturnVerificationView => ({
  gtin: row.gtin,
  lot: row.lot,
  serial: row.serial,
  expiry: row.expiry,
  outcome: row.outcome as ReturnOutcome,
  responderUrl: row.responderUrl,
  corrUUID: row.corrUuid,
  httpStatus: row.httpStatus,
  verified: row.verified,
  verificationFailureReason: row.failureReason,
  additionalInfo: row.additionalInfo,
  responderGLN: row.responderGln,
  verificationTimestamp: row.verificationTimestamp,
  error: row.errorCode === null ? null : { code: row.errorCode, message: row.errorMessage ?? "" },
  checkedAt: row.checkedAt.toISOString(),
});

const sender = alias(participants, "sender");
const recipientParty = alias(participants, "recipient");

/** The shipment `shipmentId` to `recipient` as its lines, with the sender's role; undefined when there is none such. */
async function loadShipment(db: Executor, recipient: string, shipmentId: string) {
  const rows = await db
    .select({
      batchId: shipmentLines.batchId,
      sender: shipmentLines.sender,
      status: shipmentLines.status,
      quantity: shipmentLines.quantity,
      gtin: batches.gtin,
      lot: batches.lot,
      expiry: batches.expiry,
      productName: products.name,
      senderRole: sender.role,
      senderName: sender.legalName,
      recipientRole: recipientParty.role,
    })
    .from(shipmentLines)
    .leftJoin(batches, eq(batches.batchId, shipmentLines.batchId))
    .leftJoin(products, eq(products.gtin, batches.gtin))
    .leftJoin(sender, eq(sender.address, shipmentLines.sender))
    .leftJoin(recipientParty, eq(recipientParty.address, shipmentLines.recipient))
    .where(and(eq(shipmentLines.shipmentId, shipmentId), eq(shipmentLines.recipient, recipient)))
    .orderBy(asc(shipmentLines.batchId));
  return rows.length === 0 ? undefined : rows;
}

function shipmentNotFound(shipmentId: string): ApiError {
  return new ApiError(
    404,
    "SHIPMENT_NOT_FOUND",
    `No shipment ${shipmentId} was sent to you (if it was sent a moment ago, the server has not read it from the ledger yet).`,
  );
}

/** A pack a return on the package-level ledger still carries (in transit). */
interface ReturnedPack {
  batchId: string;
  index: number;
  /** Null when the batch's serial list is not stored here. */
  serial: string | null;
  /** The unit it was shipped in (the shipment's item), or null for a loose pack. */
  unit: string | null;
}

/** The packs the shipment still carries, on the package-level ledger; undefined on the count ledger. */
async function packsInTransit(ctx: AppContext, shipmentId: string): Promise<ReturnedPack[] | undefined> {
  if (ctx.ledger.kind !== "package") return undefined;
  const contents = await shipmentContents(ctx.db, shipmentId);
  if (contents === undefined) return [];
  const packs = contents.items
    .filter((item) => item.status === "PENDING")
    .flatMap((item) => item.packs.map((pack) => ({ ...pack, unit: item.sscc })));
  const wanted = new Map<string, Set<number>>();
  for (const pack of packs) wanted.set(pack.batchId, (wanted.get(pack.batchId) ?? new Set()).add(pack.index));
  const serials = await serialsOfPacks(ctx.db, wanted);
  return packs.map((pack) => ({ ...pack, serial: serials.get(`${pack.batchId}:${pack.index}`) ?? null }));
}

type ShipmentRows = NonNullable<Awaited<ReturnType<typeof loadShipment>>>;

/** What a return's check rests on: its lines, the answers recorded, and (package-level ledger) its packs. */
interface ReturnFacts {
  rows: ShipmentRows;
  verifications: ReturnVerificationView[];
  returned: ReturnedPack[] | undefined;
}

async function returnFacts(ctx: AppContext, recipient: string, shipmentId: string): Promise<ReturnFacts> {
  const me = recipient.toLowerCase();
  const rows = await loadShipment(ctx.db, me, shipmentId);
  if (rows === undefined) throw shipmentNotFound(shipmentId);
  const recorded = await ctx.db
    .select()
    .from(returnVerifications)
    .where(and(eq(returnVerifications.shipmentId, shipmentId), eq(returnVerifications.requester, me)))
    .orderBy(asc(returnVerifications.gtin), asc(returnVerifications.lot), asc(returnVerifications.serial));
  return { rows, verifications: recorded.map(view), returned: await packsInTransit(ctx, shipmentId) };
}

/** A batch's returned packs, when each is named by its serial (else its line is counted). */
function namedPacks(facts: ReturnFacts, batchId: string): ReturnedPack[] | undefined {
  const packs = facts.returned?.filter((pack) => pack.batchId === batchId);
  return packs === undefined || packs.length === 0 || packs.some((pack) => pack.serial === null) ? undefined : packs;
}

const NAMED_IN_MESSAGE = 5;

/** "serials A, B, C and 4 more" */
function serialList(serials: readonly string[]): string {
  const named = serials.slice(0, NAMED_IN_MESSAGE).join(", ");
  return serials.length > NAMED_IN_MESSAGE ? `${named} and ${serials.length - NAMED_IN_MESSAGE} more` : named;
}

/**
 * Each line's count and why the return (or, with `selected`, the packs a partial receipt takes:
 * `${batchId}:${index}`) cannot be received as saleable yet.
 */
function assess(
  facts: ReturnFacts,
  selected?: ReadonlySet<string>,
): { lines: ReturnLineStatus[]; blocking: string[]; failed: ReturnVerificationView[] } {
  const pendingRows = facts.rows.filter((row) => row.status === "PENDING");
  const blocking: string[] = [];
  const failed: ReturnVerificationView[] = [];
  const lines: ReturnLineStatus[] = (pendingRows.length > 0 ? pendingRows : facts.rows).map((row) => {
    const gtin = row.gtin ?? "";
    const lot = row.lot ?? "";
    const answers = facts.verifications.filter((v) => v.gtin === row.gtin && v.lot === row.lot);
    const named = namedPacks(facts, row.batchId);
    if (named === undefined) {
      const passed = answers.filter((v) => v.outcome === "PASSED").length;
      const lineFailed = answers.filter((v) => v.outcome === "FAILED");
      failed.push(...lineFailed);
      const unverified = Math.max(0, row.quantity - passed);
      if (unverified > 0) {
        blocking.push(
          `${unverified} of ${row.quantity} pack(s) of GTIN ${gtin}, lot ${lot} have no passing verification`,
        );
      }
      return {
        batchId: row.batchId,
        gtin,
        lot,
        productName: row.productName,
        quantity: row.quantity,
        passed,
        failed: lineFailed.length,
        unverified,
      };
    }
    const answerOf = new Map(answers.map((v) => [v.serial, v]));
    const passing = named.filter((pack) => answerOf.get(pack.serial!)?.outcome === "PASSED");
    const lineFailed = named.flatMap((pack) => {
      const answer = answerOf.get(pack.serial!);
      return answer?.outcome === "FAILED" ? [answer] : [];
    });
    const considered = selected === undefined ? named : named.filter((p) => selected.has(`${p.batchId}:${p.index}`));
    const missing = considered.filter((pack) => answerOf.get(pack.serial!)?.outcome !== "PASSED");
    const missingUnfailed = missing.filter((pack) => answerOf.get(pack.serial!)?.outcome !== "FAILED");
    failed.push(...lineFailed.filter((v) => considered.some((pack) => pack.serial === v.serial)));
    if (missingUnfailed.length > 0) {
      blocking.push(
        `${missingUnfailed.length} of ${considered.length} pack(s) of GTIN ${gtin}, lot ${lot} have no passing ` +
          `verification (serials ${serialList(missingUnfailed.map((pack) => pack.serial!))})`,
      );
    }
    return {
      batchId: row.batchId,
      gtin,
      lot,
      productName: row.productName,
      quantity: named.length,
      passed: passing.length,
      failed: lineFailed.length,
      unverified: named.length - passing.length,
    };
  });
  for (const v of failed) {
    const why = [v.verificationFailureReason, v.additionalInfo].filter((part) => part !== null).join(", ");
    blocking.unshift(`pack ${v.serial} (GTIN ${v.gtin}, lot ${v.lot}) failed verification${why ? ` (${why})` : ""}`);
  }
  return { lines, blocking, failed };
}

/** The return's state: its lines, the answers recorded, and whether it can be received. */
export async function returnStatus(ctx: AppContext, recipient: string, shipmentId: string): Promise<ReturnStatus> {
  const facts = await returnFacts(ctx, recipient, shipmentId);
  const first = facts.rows[0]!;
  // Partly settled (package-level ledger): pending while anything is still in transit.
  const status = facts.rows.some((row) => row.status === "PENDING") ? "PENDING" : first.status;
  const isReturn = first.senderRole === "PHARMACY" && first.recipientRole === "DISTRIBUTOR";
  const { lines, blocking } = assess(facts);
  const answerOf = new Map(facts.verifications.map((v) => [`${v.gtin}:${v.lot}:${v.serial}`, v]));
  const lineOf = new Map(facts.rows.map((row) => [row.batchId, row]));
  return {
    shipmentId,
    from: { address: first.sender, name: first.senderName, role: first.senderRole },
    status,
    isReturn,
    receivable: status === "PENDING" && (!isReturn || blocking.length === 0),
    blocking: isReturn ? blocking : [],
    lines,
    verifications: facts.verifications,
    ...(facts.returned === undefined
      ? {}
      : {
          packs: facts.returned.map((pack) => {
            const line = lineOf.get(pack.batchId);
            const answer = pack.serial === null ? undefined : answerOf.get(`${line?.gtin}:${line?.lot}:${pack.serial}`);
            return {
              gtin: line?.gtin ?? "",
              lot: line?.lot ?? "",
              serial: pack.serial,
              unit: pack.unit,
              outcome: answer?.outcome ?? null,
            };
          }),
        }),
  };
}

/** What a receipt takes of a shipment on the package-level ledger (the receive operation's arguments). */
export interface Receiving {
  units?: readonly string[];
  packs?: readonly { gtin: string; lot: string; serial?: string; index?: number }[];
}

/**
 * Refuses (409 RETURN_NOT_VERIFIED, naming the packs) to receive a return whose packs do not all
 * have a passing verification: on the package-level ledger, with `receiving`, the packs that
 * receipt takes (the rest may stay in transit or be rejected). Shipments that are not returns, and
 * shipments this server has not read yet (the ledger itself then decides), pass.
 */
export async function requireReturnVerified(
  ctx: AppContext,
  recipient: string,
  shipmentId: string,
  receiving?: Receiving,
): Promise<void> {
  let facts: ReturnFacts;
  try {
    facts = await returnFacts(ctx, recipient, shipmentId);
  } catch (error) {
    if (error instanceof ApiError && error.code === "SHIPMENT_NOT_FOUND") return;
    throw error;
  }
  const first = facts.rows[0]!;
  if (first.senderRole !== "PHARMACY" || first.recipientRole !== "DISTRIBUTOR") return;
  const selected =
    receiving === undefined || facts.returned === undefined ? undefined : receivedPacks(facts.returned, receiving);
  const { lines, blocking, failed } = assess(facts, selected);
  if (blocking.length === 0) return;
  throw new ApiError(
    409,
    "RETURN_NOT_VERIFIED",
    `This return from ${first.senderName ?? first.sender} cannot be received as saleable: ${blocking.join("; ")}. ` +
      "Verify each returned pack with its manufacturer (POST /api/shipments/<id>/verifications), or reject the packs" +
      " that fail.",
    {
      details: {
        failed: failed.map(({ gtin, lot, serial, verificationFailureReason, additionalInfo }) => ({
          gtin,
          lot,
          serial,
          verificationFailureReason,
          additionalInfo,
        })),
        unverified: lines
          .filter((line) => line.unverified > 0)
          .map(({ gtin, lot, quantity, unverified }) => ({ gtin, lot, quantity, unverified })),
      },
    },
  );
}

/** The returned packs a receipt takes, as `${batchId}:${index}`: those in the units it names, and the packs it names. */
function receivedPacks(returned: readonly ReturnedPack[], receiving: Receiving): Set<string> {
  const units = new Set(receiving.units ?? []);
  const picked = new Set<string>();
  for (const pack of returned)
    if (pack.unit !== null && units.has(pack.unit)) picked.add(`${pack.batchId}:${pack.index}`);
  for (const named of receiving.packs ?? []) {
    const batchId = batchIdOf(named.gtin, named.lot);
    const pack = returned.find(
      (p) => p.batchId === batchId && (named.index !== undefined ? p.index === named.index : p.serial === named.serial),
    );
    if (pack !== undefined) picked.add(`${pack.batchId}:${pack.index}`);
  }
  return picked;
}

const shipmentIdSchema = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "0x and 64 hex digits");

function readShipmentId(raw: string): string {
  const parsed = shipmentIdSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ApiError(
      400,
      "INVALID_SHIPMENT_ID",
      `A shipment is named by its id, 0x and 64 hex digits (got '${raw.slice(0, 80)}').`,
    );
  }
  return parsed.data.toLowerCase();
}

const packBody = z.union([
  z.object({ code: z.string().min(1).max(512) }).strict(),
  z
    .object({
      gtin: z
        .string()
        .regex(/^\d{14}$/, "a GTIN-14")
        .refine(isValidGtin, "the GTIN's check digit is wrong"),
      lot: z.string().min(1).max(20).refine(isCset82, "GS1 characters only"),
      serial: z.string().min(1).max(20).refine(isCset82, "GS1 characters only"),
      expiry: z
        .string()
        .regex(/^\d{6}$/, "YYMMDD")
        .optional(),
    })
    .strict(),
]);

interface PackInput {
  gtin: string;
  lot: string;
  serial: string;
  expiry?: string;
}

function packOf(body: z.output<typeof packBody>, now: Date): PackInput {
  if (!("code" in body)) return body;
  const parsed = parseGs1(body.code, { now });
  if (!parsed.ok) {
    throw new ApiError(422, "INVALID_CODE", `The pack code cannot be read: ${packCodeProblem(parsed.error)}`);
  }
  const { gtin, lot, serial, expiry } = parsed.value;
  if (gtin === undefined || lot === undefined || serial === undefined) {
    throw new ApiError(
      422,
      "INCOMPLETE_CODE",
      "A returned pack is verified by its GTIN, lot and serial: scan the pack's 2D code, which holds all three.",
    );
  }
  return { gtin, lot, serial, ...(expiry === undefined ? {} : { expiry: expiry.raw }) };
}

/** Verifies one returned pack with its manufacturer's responder and records the answer. */
export async function verifyReturnedPack(
  ctx: AppContext,
  distributor: { address: string; gln: string },
  shipmentId: string,
  pack: PackInput,
): Promise<ReturnVerificationView> {
  const me = distributor.address.toLowerCase();
  const rows = await loadShipment(ctx.db, me, shipmentId);
  if (rows === undefined) throw shipmentNotFound(shipmentId);
  if (!rows.some((row) => row.status === "PENDING")) {
    throw new ApiError(
      409,
      "SHIPMENT_SETTLED",
      `Shipment ${shipmentId} is ${rows[0]!.status.toLowerCase()}: there is nothing left to verify.`,
    );
  }
  const line = rows.find((row) => row.batchId === batchIdOf(pack.gtin, pack.lot) && row.status === "PENDING");
  if (line === undefined) {
    throw new ApiError(
      422,
      "PACK_NOT_IN_SHIPMENT",
      `This shipment holds no units of GTIN ${pack.gtin}, lot ${pack.lot}: check the pack, or whether it came in another shipment.`,
    );
  }
  const returned = await packsInTransit(ctx, shipmentId);
  const named = returned?.filter((p) => p.batchId === line.batchId);
  if (named !== undefined && named.length > 0 && named.every((p) => p.serial !== null)) {
    if (!named.some((p) => p.serial === pack.serial)) {
      throw new ApiError(
        422,
        "PACK_NOT_IN_SHIPMENT",
        `Serial ${pack.serial} of GTIN ${pack.gtin}, lot ${pack.lot} is not among the packs this return still carries: ` +
          "check the pack, or whether it came in another shipment. Set aside a pack that arrived without being shipped.",
      );
    }
  }
  const entry = await responderFor(ctx.db, pack.gtin);
  if (entry === undefined) {
    throw new ApiError(
      422,
      "NO_RESPONDER",
      `The directory names no verification responder for GTIN ${pack.gtin}: ask its manufacturer to register one.`,
    );
  }
  const token = await requesterToken(ctx, me, entry.responderUrl);
  if (token === undefined) {
    throw new ApiError(
      422,
      "NO_CREDENTIAL_FOR_RESPONDER",
      `You keep no credential for ${entry.responderUrl}, the responder of GTIN ${pack.gtin}: ask its manufacturer for one and store it (PUT /api/vrs-requester-credentials).`,
      { details: { responderUrl: entry.responderUrl } },
    );
  }
  // The pack's own expiry when its code holds one (the identifier verified is the one printed), else its batch's.
  const expiry = pack.expiry ?? String(line.expiry ?? "").slice(2);
  if (!/^\d{6}$/.test(expiry)) {
    throw new ApiError(422, "EXPIRY_UNKNOWN", "Give the pack's expiry (YYMMDD): its batch is not known here yet.");
  }
  const corrUUID = randomUUID();
  const answer = await requestVerification(entry.responderUrl, token, {
    gtin: pack.gtin,
    lot: pack.lot,
    serial: pack.serial,
    exp: expiry,
    reqGLN: distributor.gln,
    corrUUID,
    context: "dscsaSaleableReturn",
  });
  const values = {
    requester: me,
    lot: pack.lot,
    expiry,
    responderUrl: entry.responderUrl,
    corrUuid: corrUUID,
    outcome: answer.ok ? (answerPasses(answer.data) ? "PASSED" : "FAILED") : "ERROR",
    httpStatus: answer.httpStatus,
    verified: answer.ok ? answer.data.verified : null,
    failureReason: answer.ok ? (answer.data.verificationFailureReason ?? null) : null,
    additionalInfo: answer.ok ? (answer.data.additionalInfo ?? null) : null,
    responderGln: answer.ok ? answer.responderGLN : null,
    verificationTimestamp: answer.ok ? answer.verificationTimestamp : null,
    errorCode: answer.ok ? null : answer.code,
    errorMessage: answer.ok ? null : answer.message,
    checkedAt: ctx.now(),
  };
  const [row] = await ctx.db
    .insert(returnVerifications)
    .values({ shipmentId, gtin: pack.gtin, serial: pack.serial, ...values })
    .onConflictDoUpdate({
      target: [returnVerifications.shipmentId, returnVerifications.gtin, returnVerifications.serial],
      set: values,
    })
    .returning();
  return view(row!);
}

export async function returnStatusResponse(ctx: AppContext, request: Request, rawId: string): Promise<Response> {
  const party = await requireParty(ctx, request, ["DISTRIBUTOR"]);
  parseQuery(z.object({}).strict(), new URL(request.url).searchParams);
  return jsonResponse(await returnStatus(ctx, party.address, readShipmentId(rawId)));
}

export async function verifyReturnedPackResponse(ctx: AppContext, request: Request, rawId: string): Promise<Response> {
  const party = await requireParty(ctx, request, ["DISTRIBUTOR"]);
  const shipmentId = readShipmentId(rawId);
  requireContentType(request, ["application/json"], "A pack to verify");
  const body = await readBodyAs(request, packBody, {
    maxBytes: 4096,
    what: "A pack to verify",
    expected: "Send JSON {code} (the pack's scanned code) or {gtin, lot, serial, expiry?} (expiry as YYMMDD).",
  });
  if (party.gln === undefined) throw new ApiError(403, "NOT_PARTICIPANT", "Your GLN is not known on the ledger.");
  const verification = await verifyReturnedPack(
    ctx,
    { address: party.address, gln: party.gln },
    shipmentId,
    packOf(body, ctx.now()),
  );
  return jsonResponse({ verification, return: await returnStatus(ctx, party.address, shipmentId) });
}
