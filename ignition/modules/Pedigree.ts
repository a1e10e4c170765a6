import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * Deploys the Pedigree custody ledger. Used by production deployments, `npm start` and the
 * TypeScript flow tests alike, so all three exercise the same wiring.
 *
 * Parameters (ignition/parameters/<network>.json or --parameters):
 * - admin: the first admin account (default: the deploying account)
 * - adminTransferDelay: seconds a new admin must wait before accepting the role (default: 2 days)
 */
export default buildModule("Pedigree", (m) => {
  const admin = m.getParameter("admin", m.getAccount(0));
  const adminTransferDelay = m.getParameter("adminTransferDelay", 2 * 24 * 60 * 60);
  const ledger = m.contract("PedigreeLedger", [admin, adminTransferDelay]);
  return { ledger };
});
