/**
 * POST /api/manifests?gtin=<GTIN-14>&lot=<lot> (or ?batchId=0x...): the batch's manufacturer uploads
 * its serial list, as text/plain or text/csv, one serial per line (a first line `serial` is a
 * header; on CSV lines the first column is the serial).
 *
 * Order of the checks, cheapest and least revealing first: the query and content type; the
 * session and, on chain now, the MANUFACTURER role; the batch on chain and that the signed-in
 * party is its manufacturer (all before a byte of the body is read); then the body, streamed with
 * a hard limit; the list (refused whole, with the file's line numbers); its length against the
 * batch's pack count; and finally storeManifest, which builds the tree and stores it only if its
 * root is the batch's root on chain.
 *
 * Limits: MAX_MANIFEST_BYTES and MAX_MANIFEST_SERIALS, both answered with 413. Route handlers have
 * no body limit of their own, but a Next.js middleware (proxy.ts) buffers bodies up to 10 MB by
 * default: /api/manifests must stay outside any such matcher, or large uploads break.
 */
import { isCset82, isValidGtin } from "@pedigree/gs1";
import { batchIdOf, parseSerialList, type Hex } from "@pedigree/ledger";
import { eq } from "drizzle-orm";
import { isAddressEqual } from "viem";
import { ApiError, jsonResponse } from "../api/errors.ts";
import { readBatch } from "../auth/ledgerReads.ts";
import { readBodyText } from "../auth/requestBody.ts";
import { requireParty } from "../auth/session.ts";
import type { AppContext } from "../context.ts";
import { batches } from "../db/schema.ts";
import type { ManifestUploadResponse } from "../../lib/api-types.ts";
import { storeManifest } from "./store.ts";

/** 64 MiB: a million 20-character serials with CRLF are 22 MB, so this leaves room for CSV columns. */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;
export const MAX_MANIFEST_SERIALS = 1_000_000;
const ACCEPTED_TYPES = ["text/plain", "text/csv"];

interface BatchIdentity {
  batchId: Hex;
  gtin: string;
  lot: string;
}

export async function uploadManifestResponse(ctx: AppContext, request: Request): Promise<Response> {
  checkContentType(request);
  const identity = await batchIdentity(ctx, new URL(request.url).searchParams);
  const party = await requireParty(ctx, request, ["MANUFACTURER"]);
  const batch = await readBatch(ctx, identity.batchId);
  if (batch === undefined) {
    throw new ApiError(
      404,
      "UNKNOWN_BATCH",
      `The ledger has no batch ${identity.lot} of GTIN ${identity.gtin}. Register the batch on chain first, then upload its serial list.`,
      { details: identity },
    );
  }
  if (!isAddressEqual(batch.manufacturer, party.address)) {
    throw new ApiError(
      403,
      "NOT_BATCH_MANUFACTURER",
      `Only the batch's manufacturer (${batch.manufacturer}) may upload its serial list; you are signed in as ${party.address}.`,
    );
  }

  const text = await readBodyText(request, { maxBytes: MAX_MANIFEST_BYTES, what: "A serial list" });
  const parsed = parseSerialList(text);
  if (!parsed.ok) {
    throw new ApiError(422, "INVALID_SERIAL_LIST", parsed.message, {
      details: { errors: parsed.errors, errorCount: parsed.errorCount, truncated: parsed.truncated },
    });
  }
  const serials = parsed.serials;
  if (serials.length > MAX_MANIFEST_SERIALS) {
    throw new ApiError(
      413,
      "TOO_MANY_SERIALS",
      `A serial list may hold at most ${MAX_MANIFEST_SERIALS.toLocaleString("en-US")} serials; this one has ${serials.length.toLocaleString("en-US")}.`,
      { details: { maxSerials: MAX_MANIFEST_SERIALS, serialCount: serials.length } },
    );
  }
  if (serials.length !== batch.packCount) {
    throw new ApiError(
      422,
      "PACK_COUNT_MISMATCH",
      `The list holds ${serials.length.toLocaleString("en-US")} serials, but the batch was registered with ${batch.packCount.toLocaleString("en-US")} packs. Upload the exact list used at registration.`,
      { details: { serialCount: serials.length, packCount: batch.packCount } },
    );
  }

  const result = await storeManifest(ctx.db, {
    ...identity,
    serials,
    expectedRoot: batch.serialsRoot,
    uploadedBy: party.address,
  });
  const answer: ManifestUploadResponse = {
    stored: result.stored,
    ...identity,
    root: result.root,
    serialCount: result.serialCount,
  };
  return jsonResponse(answer, { status: result.stored ? 201 : 200 });
}

function checkContentType(request: Request): void {
  const header = request.headers.get("content-type") ?? "";
  const [type = "", ...parameters] = header.split(";").map((part) => part.trim().toLowerCase());
  const charset = parameters.find((parameter) => parameter.startsWith("charset="))?.slice("charset=".length);
  if (!ACCEPTED_TYPES.includes(type) || (charset !== undefined && charset.replace(/"/g, "") !== "utf-8")) {
    throw new ApiError(
      415,
      "UNSUPPORTED_MEDIA_TYPE",
      `Send the serial list as text/plain or text/csv in UTF-8, one serial per line (got '${header || "no content type"}').`,
    );
  }
}

/** The batch named by the query: gtin + lot, or a batchId the read model knows. */
async function batchIdentity(ctx: AppContext, query: URLSearchParams): Promise<BatchIdentity> {
  const gtinParam = query.get("gtin");
  const lot = query.get("lot");
  const batchIdParam = query.get("batchId");
  if (gtinParam !== null || lot !== null) {
    if (gtinParam === null || lot === null) {
      throw invalidQuery("Give both gtin and lot (e.g. ?gtin=09520123456788&lot=A1).");
    }
    const gtin = /^\d{8}$|^\d{12,14}$/.test(gtinParam) ? gtinParam.padStart(14, "0") : gtinParam;
    if (!/^\d{14}$/.test(gtin) || !isValidGtin(gtin)) {
      throw invalidQuery(
        `'${gtinParam}' is not a GTIN: give 14 digits (8, 12 or 13 are padded) with a valid check digit.`,
      );
    }
    if (lot.length < 1 || lot.length > 20 || !isCset82(lot)) {
      throw invalidQuery(`'${lot}' is not a GS1 lot: 1 to 20 characters of A-Z a-z 0-9 and GS1's punctuation.`);
    }
    const batchId = batchIdOf(gtin, lot);
    if (batchIdParam !== null && batchIdParam.toLowerCase() !== batchId) {
      throw invalidQuery(`batchId ${batchIdParam} is not the id of GTIN ${gtin} lot ${lot} (${batchId}).`);
    }
    return { batchId, gtin, lot };
  }
  if (batchIdParam === null) throw invalidQuery("Name the batch: ?gtin=<GTIN>&lot=<lot>, or ?batchId=0x<64 hex>.");
  if (!/^0x[0-9a-fA-F]{64}$/.test(batchIdParam)) {
    throw invalidQuery(`batchId '${batchIdParam}' is not 0x followed by 64 hex digits.`);
  }
  const batchId = batchIdParam.toLowerCase() as Hex;
  const [known] = await ctx.db
    .select({ gtin: batches.gtin, lot: batches.lot })
    .from(batches)
    .where(eq(batches.batchId, batchId));
  if (known === undefined) {
    throw invalidQuery(
      `This server has not indexed batch ${batchId} yet, so it cannot tell its GTIN and lot. Send ?gtin=&lot= instead.`,
    );
  }
  return { batchId, gtin: known.gtin, lot: known.lot };
}

function invalidQuery(message: string): ApiError {
  return new ApiError(400, "INVALID_QUERY", message);
}
