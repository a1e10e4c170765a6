/**
 * `npm start`: one command for the whole local system. Starts a local chain on 127.0.0.1:8545,
 * deploys the ledger through the Ignition module, writes its address for the application side,
 * prints what a newcomer needs, and stops everything cleanly on Ctrl-C.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createPublicClient, http } from "viem";
import { deploy } from "./deploy.ts";

const RPC_URL = "http://127.0.0.1:8545";
const children: ChildProcess[] = [];

function stopAll(code = 0): never {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  process.exit(code);
}
process.on("SIGINT", () => {
  console.log("\nStopping Pedigree...");
  stopAll(0);
});
process.on("SIGTERM", () => stopAll(0));

async function rpcAnswers(): Promise<boolean> {
  try {
    await createPublicClient({ transport: http(RPC_URL, { retryCount: 0, timeout: 1_000 }) }).getChainId();
    return true;
  } catch {
    return false;
  }
}

async function startChain(): Promise<void> {
  if (await rpcAnswers()) {
    throw new Error(`Something already answers on ${RPC_URL}. Stop it (another \`npm start\`?) and try again.`);
  }
  const chain = spawn("hardhat", ["node", "--hostname", "127.0.0.1", "--port", "8545"], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
  });
  children.push(chain);
  chain.on("exit", (code) => {
    console.error(`The local chain stopped (exit ${code}).`);
    stopAll(1);
  });
  const deadline = Date.now() + 60_000;
  while (!(await rpcAnswers())) {
    if (Date.now() > deadline) throw new Error("The local chain did not answer within 60 s.");
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

try {
  console.log("Starting a local chain on 127.0.0.1:8545...");
  await startChain();
  console.log("Deploying the Pedigree ledger...");
  const { chainId, address, deploymentBlock } = await deploy("localhost", RPC_URL);
  console.log(`
Pedigree is running.
  chain          ${RPC_URL} (chain id ${chainId})
  PedigreeLedger ${address} (deployed in block ${deploymentBlock})
  admin          the chain's first account, 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266

Press Ctrl-C to stop.`);
} catch (error) {
  console.error(`\nnpm start failed: ${(error as Error).message}`);
  stopAll(1);
}
