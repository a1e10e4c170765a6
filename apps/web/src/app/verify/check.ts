/**
 * A patient's check, as the pages render it: the server's verification of the code, or, when
 * the server itself cannot get going (no database, no chain configuration), an honest
 * UNAVAILABLE answer instead of an error page. Never a counterfeit verdict for our own failure.
 *
 * The code is read as the scanner reads it, so the text printed on a pack works here too (a form
 * sent without JavaScript carries it as typed), and a refusal explains that reading.
 */
import type { VerifyResponse } from "@/lib/api-types";
import { readPackCode } from "@/lib/pack-code";
import { appContext } from "@/server/context";
import { unavailableAnswer } from "@/server/verify/answer";
import { verifyCode } from "@/server/verify/verify";

export async function checkPackCode(code: string): Promise<VerifyResponse> {
  try {
    const context = await appContext();
    const reading = readPackCode(code);
    const { body } = await verifyCode(context, reading.ok ? reading.code : code, { purpose: "verify" });
    if (!reading.ok && body.verdict === "INVALID_CODE") {
      body.codeError = { code: reading.error.code, message: reading.error.message };
    }
    return body;
  } catch (error) {
    console.error("The patient check could not run:", error);
    return unavailableAnswer(new Date(), "verify", "the server cannot open its database or ledger connection");
  }
}
