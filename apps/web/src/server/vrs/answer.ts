/**
 * The answer side of the VRS responder: Pedigree's verdict (decided by @pedigree/ledger's
 * decideVerdict through verifyCode, the one way a pack is checked) in the words of the GS1
 * Lightweight Messaging Standard. Nothing here decides anything about a pack; it only translates.
 *
 * `verified` says whether the product identifier (GTIN, serial, lot, expiry) is one the manufacturer
 * commissioned and may be redistributed; `additionalInfo` says what else the requester must know.
 *
 * | verdict                                   | verified | verificationFailureReason              | additionalInfo |
 * | ----------------------------------------- | -------- | -------------------------------------- | -------------- |
 * | GENUINE                                   | true     |                                        |                |
 * | EXPIRED                                   | true     |                                        | Expired        |
 * | RECALLED                                  | true     |                                        | Recalled       |
 * | SUSPENDED (held while investigated)       | true     |                                        | Suspect        |
 * | QUARANTINED (package-level ledger)        | true     |                                        | Suspect        |
 * | DISPENSED, DECOMMISSIONED (sample, ...)   | false    | Not_for_re-distribution                |                |
 * | DECOMMISSIONED as destroyed or stolen     | false    | Not_for_re-distribution                | Suspect        |
 * | MISMATCH on the expiry                    | false    | No_match_GTIN_Serial_Expiry            |                |
 * | serial under the GTIN, in another lot     | false    | No_match_GTIN_Serial_Lot(_Expiry)      |                |
 * | UNKNOWN_SERIAL, lot unknown               | false    | No_match_GTIN_Serial                   |                |
 * | found FALSIFIED by an investigation       | false    | Manufacturer_policy                    | Illegitimate   |
 *
 * A recalled or suspended pack that has also expired is answered Recalled or Suspect (the stronger).
 */
import type { VerifyResponse } from "../../lib/api-types.ts";

export const FAILURE_REASONS = [
  "No_match_GTIN_Serial",
  "No_match_GTIN_Serial_Lot",
  "No_match_GTIN_Serial_Expiry",
  "No_match_GTIN_Serial_Lot_Expiry",
  "Manufacturer_policy",
  "Not_for_re-distribution",
  "No_reason_provided",
] as const;
export type VerificationFailureReason = (typeof FAILURE_REASONS)[number];

export const ADDITIONAL_INFO = ["Expired", "ExpirationExtended", "Recalled", "Suspect", "Illegitimate"] as const;
export type AdditionalInfo = (typeof ADDITIONAL_INFO)[number];

export interface VerificationData {
  verified: boolean;
  verificationFailureReason?: VerificationFailureReason;
  additionalInfo?: AdditionalInfo;
}

export interface VerificationAnswer {
  verificationTimestamp: string;
  responderGLN: string;
  data: VerificationData;
  corrUUID: string;
}

/** Verdicts that mean no pack with this GTIN, serial and lot is known: the serial may be in another lot (and expiry). */
export function needsLotCheck(body: VerifyResponse): boolean {
  return (
    body.verdict === "UNKNOWN_SERIAL" ||
    (body.verdict === "UNKNOWN_PRODUCT" && body.product !== null) ||
    (body.verdict === "MISMATCH" && body.mismatch?.field === "lot")
  );
}

/**
 * `body` is the check of the pack as the request names it; `withoutLot` (for needsLotCheck verdicts
 * only) the check of the same GTIN, serial and expiry without the lot, which finds the serial in
 * the GTIN's other lots.
 */
export function verificationData(
  body: VerifyResponse,
  options: { falsified: boolean; withoutLot?: VerifyResponse },
): VerificationData {
  if (options.falsified) {
    return { verified: false, verificationFailureReason: "Manufacturer_policy", additionalInfo: "Illegitimate" };
  }
  switch (body.verdict) {
    case "GENUINE":
      return { verified: true };
    case "EXPIRED":
      return { verified: true, additionalInfo: "Expired" };
    case "RECALLED":
      return { verified: true, additionalInfo: "Recalled" };
    case "SUSPENDED":
    case "QUARANTINED":
      return { verified: true, additionalInfo: "Suspect" };
    case "DISPENSED":
      return { verified: false, verificationFailureReason: "Not_for_re-distribution" };
    case "DECOMMISSIONED": {
      const state = body.decommissioned?.state;
      const suspect = state === "DESTROYED" || state === "STOLEN";
      return {
        verified: false,
        verificationFailureReason: "Not_for_re-distribution",
        ...(suspect ? { additionalInfo: "Suspect" as const } : {}),
      };
    }
    case "MISMATCH":
      if (body.mismatch?.field === "expiry") {
        return { verified: false, verificationFailureReason: "No_match_GTIN_Serial_Expiry" };
      }
      break;
    default:
      break;
  }
  // No pack of this GTIN, lot and serial: is the serial one of the GTIN's in another lot?
  const other = options.withoutLot;
  const inOtherLot =
    other !== undefined &&
    other.verdict !== "UNKNOWN_SERIAL" &&
    other.verdict !== "UNKNOWN_PRODUCT" &&
    other.verdict !== "INVALID_CODE" &&
    other.verdict !== "UNAVAILABLE";
  if (!inOtherLot) return { verified: false, verificationFailureReason: "No_match_GTIN_Serial" };
  const expiryDiffers = other.verdict === "MISMATCH" && other.mismatch?.field === "expiry";
  return {
    verified: false,
    verificationFailureReason: expiryDiffers ? "No_match_GTIN_Serial_Lot_Expiry" : "No_match_GTIN_Serial_Lot",
  };
}
