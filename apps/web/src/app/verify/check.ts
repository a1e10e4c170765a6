/**
 * A patient's check, as the pages render it: the server's verification of the code, or, when
 * the server itself cannot get going (no database, no chain configuration), an honest
 * UNAVAILABLE answer instead of an error page. Never a counterfeit verdict for our own failure.
 */
import type { VerifyResponse } from "@/lib/api-types";
import { appContext } from "@/server/context";
import { verifyCode } from "@/server/verify/verify";

export async function checkPackCode(code: string): Promise<VerifyResponse> {
  try {
    const context = await appContext();
    const { body } = await verifyCode(context, code, { purpose: "verify" });
    return body;
  } catch (error) {
    console.error("The patient check could not run:", error);
    return {
      verdict: "UNAVAILABLE",
      headline: "We cannot check this pack right now.",
      advice:
        "This says nothing about the medicine itself. Try again in a few minutes, or ask your pharmacist to check the pack.",
      alert: false,
      pack: null,
      batch: null,
      product: null,
      manufacturer: null,
      holder: null,
      checkedAt: new Date().toISOString(),
      blockNumber: null,
    };
  }
}
