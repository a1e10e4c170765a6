import type { Expiry } from "./dates.ts";
import type { Gs1Error } from "./errors.ts";

/** National Healthcare Reimbursement Numbers: 710 PZN (DE), 711 CIP (FR), 712 CN (ES), 713 DRN (BR), 714 AIM (PT), 715 NDC (US). */
export type NationalNumberAi = "710" | "711" | "712" | "713" | "714" | "715";

/** The Application Identifiers Pedigree reads and writes. Any other AI is refused with UNKNOWN_AI. */
export type SupportedAi = "00" | "01" | "10" | "17" | "21" | "414" | "417" | NationalNumberAi;

/** The three written forms of a pack code. */
export type Gs1Form = "element-string" | "hri" | "digital-link";

/**
 * The identifiers in one code. A field is present only when its AI was in the
 * code; no field is ever `undefined`-valued.
 */
export type Gs1Value = {
  /** AI 01, always 14 digits (GTIN-8/12/13 in a Digital Link are padded with leading zeros). */
  gtin?: string;
  /** AI 10, batch/lot, 1-20 CSET 82 characters. */
  lot?: string;
  /** AI 21, serial number, 1-20 CSET 82 characters. */
  serial?: string;
  /** AI 17, expiry date. */
  expiry?: Expiry;
  /** AI 00, SSCC of a case or pallet, 18 digits. */
  sscc?: string;
  /** AI 414, GLN of a physical location, 13 digits. */
  gln?: string;
  /** AI 417, GLN of a party (company), 13 digits. */
  partyGln?: string;
  /** AI 710-715, national drug numbers, 1-20 CSET 82 characters each. */
  nationalNumbers?: Partial<Record<NationalNumberAi, string>>;
  /**
   * Only for a Digital Link: scheme, host and any prefix path, without the
   * GS1 part and without a trailing slash, e.g. "https://id.gs1.org".
   */
  digitalLinkBase?: string;
};

export type ParseOptions = {
  /** "Today" for resolving two-digit expiry years (default: the current time). Only its UTC year matters. */
  now?: Date;
};

export type ParseResult = { ok: true; form: Gs1Form; value: Gs1Value } | { ok: false; error: Gs1Error };
