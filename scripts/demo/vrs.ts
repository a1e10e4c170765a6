/**
 * The demo's VRS set-up, written into the read model before the dashboard starts, so a saleable
 * return can be verified right after `npm start` (docs/INTEROP.md, "The requester"):
 *
 * - the lookup directory sends each demo manufacturer's company prefixes to this Pedigree's own
 *   responder (`<origin>/vrs`), which answers for their GTINs;
 * - each manufacturer issues Northwind an API credential (only its hash is kept, as
 *   POST /api/vrs-credentials keeps it), and Northwind keeps it sealed under the server's
 *   PEDIGREE_SECRET_KEY, as PUT /api/vrs-requester-credentials would.
 */
import { randomBytes } from "node:crypto";
import type { Address } from "viem";
import type { Database } from "../../apps/web/src/server/db/database.ts";
import { vrsCredentials, vrsDirectory } from "../../apps/web/src/server/db/schema.ts";
import { hashToken } from "../../apps/web/src/server/auth/siwe.ts";
import { storeRequesterCredential } from "../../apps/web/src/server/vrs/requester-credentials.ts";
import { CREDENTIAL_PREFIX } from "../../apps/web/src/server/vrs/store.ts";
import { PARTIES } from "./world.ts";

export async function storeDemoVrs(
  db: Database,
  options: { origin: string; secretKey: Buffer; addresses: Record<"acme" | "borealis" | "northwind", Address> },
): Promise<void> {
  const responderUrl = `${options.origin}/vrs`;
  const now = new Date();
  for (const key of ["acme", "borealis"] as const) {
    const manufacturer = options.addresses[key].toLowerCase();
    for (const prefix of PARTIES[key].prefixes) {
      await db.insert(vrsDirectory).values({ prefix, manufacturer, responderUrl, updatedAt: now });
    }
    const token = CREDENTIAL_PREFIX + randomBytes(32).toString("base64url");
    await db.insert(vrsCredentials).values({
      manufacturer,
      partnerGln: PARTIES.northwind.gln,
      label: `${PARTIES.northwind.name} (demo)`,
      tokenHash: hashToken(token),
    });
    // One responder answers for both manufacturers here, and a credential answers for its issuer's
    // GTINs only: Northwind keeps Acme's (the demo return is Acme's metformin).
    if (key === "acme") {
      await storeRequesterCredential(
        db,
        options.addresses.northwind,
        { responderUrl, token, label: `${PARTIES.acme.name} (demo)` },
        now,
        options.secretKey,
      );
    }
  }
}
