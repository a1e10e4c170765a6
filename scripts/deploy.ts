/**
 * Deploys the ledger with the Ignition module and hands the result to the application side.
 *
 *   node scripts/deploy.ts --network localhost   (npm run deploy:local)
 *   node scripts/deploy.ts --network remote      (URL and key from Hardhat configuration variables)
 *
 * A local chain (chain id 31337) starts empty every time, so its old Ignition record is reset.
 */
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { createPublicClient, http } from "viem";
import { exportAbi, exportDeployment, readIgnitionDeployment } from "./export-ledger.ts";

const LOCAL_CHAIN_ID = 31337;

export async function deploy(
  network: string,
  rpcUrl?: string,
): Promise<{ chainId: number; address: string; deploymentBlock: number }> {
  let chainId: number | undefined;
  if (rpcUrl !== undefined) {
    try {
      chainId = await createPublicClient({ transport: http(rpcUrl, { retryCount: 1 }) }).getChainId();
    } catch {
      throw new Error(`No chain answers at ${rpcUrl}.`);
    }
  }
  const args = [
    "ignition",
    "deploy",
    "ignition/modules/Pedigree.ts",
    "--network",
    network,
    "--build-profile",
    "production",
  ];
  if (chainId === LOCAL_CHAIN_ID) args.push("--reset");
  const result = spawnSync("hardhat", args, {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
  });
  if (result.status !== 0)
    throw new Error(`Ignition deployment to ${network} failed (exit ${result.status}); see the output above.`);
  chainId ??= await chainIdFromIgnition();
  exportAbi();
  const record = readIgnitionDeployment(chainId);
  await exportDeployment(chainId, record);
  return { chainId, ...record };
}

async function chainIdFromIgnition(): Promise<number> {
  const { readdirSync, statSync } = await import("node:fs");
  const dirs = readdirSync("ignition/deployments").filter((d) => d.startsWith("chain-"));
  dirs.sort((a, b) => statSync(`ignition/deployments/${b}`).mtimeMs - statSync(`ignition/deployments/${a}`).mtimeMs);
  const newest = dirs[0];
  if (newest === undefined) throw new Error("Ignition left no deployment record");
  return Number(newest.slice("chain-".length));
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { network: { type: "string", default: "localhost" } } });
  const network = values.network;
  const rpcUrl = network === "localhost" ? "http://127.0.0.1:8545" : undefined;
  try {
    const { chainId, address, deploymentBlock } = await deploy(network, rpcUrl);
    console.log(`\nPedigreeLedger deployed on chain ${chainId} at ${address} (block ${deploymentBlock}).`);
    console.log("Addresses and ABI written to packages/ledger/src/generated/.");
  } catch (error) {
    console.error(`\n${(error as Error).message}`);
    if (network === "localhost")
      console.error("Is a local chain running? Start one with `npm run chain` (or `npm start`).");
    process.exit(1);
  }
}
