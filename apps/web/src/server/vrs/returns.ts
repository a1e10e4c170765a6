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
 * its button saying why. Packs are counted per line on the count ledger, whose shipments move units
 * of batches, not named packs.
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
import { parseQuery } from "../read/input.ts";
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

/** The return's state: its lines, the answers recorded, and whether it can be received. */
export async function returnStatus(ctx: AppContext, recipient: string, shipmentId: string): Promise<ReturnStatus> {
  const me = recipient.toLowerCase();
  const rows = await loadShipment(ctx.db, me, shipmentId);
  if (rows === undefined) throw shipmentNotFound(shipmentId);
  const recorded = await ctx.db
    .select()
    .from(returnVerifications)
    .where(and(eq(returnVerifications.shipmentId, shipmentId), eq(returnVerifications.requester, me)))
    .orderBy(asc(returnVerifications.gtin), asc(returnVerifications.lot), asc(returnVerifications.serial));
  const verifications = recorded.map(view);
  const first = rows[0]!;
  const isReturn = first.senderRole === "PHARMACY" && first.recipientRole === "DISTRIBUTOR";
  const lines: ReturnLineStatus[] = rows.map((row) => {
    const mine = verifications.filter((v) => v.gtin === row.gtin && v.lot === row.lot);
    const passed = mine.filter((v) => v.outcome === "PASSED").length;
    return {
      batchId: row.batchId,
      gtin: row.gtin ?? "",
      lot: row.lot ?? "",
      productName: row.productName,
      quantity: row.quantity,
      passed,
      failed: mine.filter((v) => v.outcome === "FAILED").length,
      unverified: Math.max(0, row.quantity - passed),
    };
  });
  const blocking: string[] = [];
  if (isReturn) {
    for (const v of verifications.filter((entry) => entry.outcome === "FAILED")) {
      const why = [v.verificationFailureReason, v.additionalInfo].filter((part) => part !== null).join(", ");
      blocking.push(`pack ${v.serial} (GTIN ${v.gtin}, lot ${v.lot}) failed verification${why ? ` (${why})` : ""}`);
    }
    for (const line of lines.filter((entry) => entry.unverified > 0)) {
      blocking.push(
        `${line.unverified} of ${line.quantity} pack(s) of GTIN ${line.gtin}, lot ${line.lot} have no passing verification`,
      );
    }
  }
  return {
    shipmentId,
    from: { address: first.sender, name: first.senderName, role: first.senderRole },
    status: first.status,
    isReturn,
    receivable: first.status === "PENDING" && blocking.length === 0,
    blocking,
    lines,
    verifications,
  };
}

/**
 * Refuses (409 RETURN_NOT_VERIFIED, naming the packs) to receive a return whose packs do not all
 * have a passing verification. Shipments that are not returns, and shipments this server has not
 * read yet (the ledger itself then decides), pass.
 */
export async function requireReturnVerified(ctx: AppContext, recipient: string, shipmentId: string): Promise<void> {
  let status: ReturnStatus;
  try {
    status = await returnStatus(ctx, recipient, shipmentId);
  } catch (error) {
    if (error instanceof ApiError && error.code === "SHIPMENT_NOT_FOUND") return;
    throw error;
  }
  if (!status.isReturn || status.blocking.length === 0) return;
  throw new ApiError(
    409,
    "RETURN_NOT_VERIFIED",
    `This return from ${status.from.name ?? status.from.address} cannot be received as saleable: ${status.blocking.join("; ")}. ` +
      "Verify each returned pack with its manufacturer (POST /api/shipments/<id>/verifications), or reject the shipment.",
    {
      details: {
        failed: status.verifications
          .filter((v) => v.outcome === "FAILED")
          .map(({ gtin, lot, serial, verificationFailureReason, additionalInfo }) => ({
            gtin,
            lot,
            serial,
            verificationFailureReason,
            additionalInfo,
          })),
        unverified: status.lines
          .filter((line) => line.unverified > 0)
          .map(({ gtin, lot, quantity, unverified }) => ({ gtin, lot, quantity, unverified })),
      },
    },
  );
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
  if (rows[0]!.status !== "PENDING") {
    throw new ApiError(
      409,
      "SHIPMENT_SETTLED",
      `Shipment ${shipmentId} is ${rows[0]!.status.toLowerCase()}: there is nothing left to verify.`,
    );
  }
  const line = rows.find((row) => row.batchId === batchIdOf(pack.gtin, pack.lot));
  if (line === undefined) {
    throw new ApiError(
      422,
      "PACK_NOT_IN_SHIPMENT",
      `This shipment holds no units of GTIN ${pack.gtin}, lot ${pack.lot}: check the pack, or whether it came in another shipment.`,
    );
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
