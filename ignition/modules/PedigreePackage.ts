import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * Deploys the package-level custody ledger (PedigreePackageLedger) and its read-only views
 * (PedigreePackageLens, which reads the ledger's storage and is deployed with its address). It
 * replaces the count ledger of ./Pedigree.ts as the application moves over
 * (docs/ARCHITECTURE.md, "Package-level custody"); `node scripts/deploy.ts --ledger package`.
 *
 * Parameters (ignition/parameters/<network>.json or --parameters), as for ./Pedigree.ts:
 * - admin: the first admin account (default: the deploying account)
 * - adminTransferDelay: seconds a new admin must wait before accepting the role (default: 2 days)
 */
export default buildModule("PedigreePackage", (m) => {
  const admin = m.getParameter("admin", m.getAccount(0));
  const adminTransferDelay = m.getParameter("adminTransferDelay", 2 * 24 * 60 * 60);
  const ledger = m.contract("PedigreePackageLedger", [admin, adminTransferDelay]);
  const lens = m.contract("PedigreePackageLens", [ledger]);
  return { ledger, lens };
});
