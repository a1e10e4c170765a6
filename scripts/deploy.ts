/**
 * Deploys the ledger with the Ignition module and hands the result to the application side.
 *
 *   node scripts/deploy.ts --network localhost   (npm run deploy:local)
 *   node scripts/deploy.ts --network remote      (URL and key from Hardhat configuration variables)
 *
 * A local chain (chain id 31337) starts empty every time, so its old Ignition record is reset.
 */
import { spawn } from "node:child_process";
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
  // Asynchronous on purpose: a blocked event loop would miss the chain closing our idle
  // keep-alive sockets, and the caller's next request would then fail on a dead one.
  const status = await new Promise<number | null>((resolve, reject) => {
    const child = spawn("hardhat", args, {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve(code));
  });
  if (status !== 0) throw new Error(`Ignition deployment to ${network} failed (exit ${status}); see the output above.`);
  chainId ??= await chainIdOfNetwork(network);
  exportAbi();
  const record = readIgnitionDeployment(chainId);
  await exportDeployment(chainId, record);
  return { chainId, ...record };
}

/** Asks the network itself (through Hardhat's configuration of it) which chain it is. */
async function chainIdOfNetwork(network: string): Promise<number> {
  const hre = await import("hardhat");
  const connection = await hre.network.connect(network);
  try {
    return Number(await connection.provider.request({ method: "eth_chainId" }));
  } finally {
    await connection.close();
  }
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
