/** Plain application types shared by the modules of this package (no bigint, no raw logs). */

export type { Hex } from "./manifest/serialTree.ts";
export type Address = `0x${string}`;

/** A participant as the application shows it: its account, and its legal name and GLN when known. */
export interface Party {
  address: Address;
  /** Legal name from the participant registry. */
  name?: string;
  /** GS1 Global Location Number, 13 digits. */
  gln?: string;
}
