export { pedigreeLedgerAbi } from "./generated/pedigreeLedgerAbi.ts";
export { deployments, type LedgerDeployment } from "./generated/deployments.ts";
export { SerialTree, serialLeafHash, type Hex } from "./manifest/serialTree.ts";
