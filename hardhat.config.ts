import { createRequire } from "node:module";
import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";

// The compiler comes from the `solc` npm package, so builds never download anything.
const require = createRequire(import.meta.url);
const solcjsPath = require.resolve("solc/soljson.js");
const SOLC_VERSION = "0.8.30";

// `hardhat test --coverage` compiles instrumented contracts (larger and slower than the real ones).
// They get their own artifacts and cache, so a coverage run leaves the build that deployments,
// `npm start`, the app's tests and the benchmarks use as it was (and nothing recompiles after it).
const coverageRun = process.argv.includes("--coverage");

const optimizedSettings = {
  evmVersion: "prague",
  optimizer: { enabled: true, runs: 10_000 },
  viaIR: true,
};

// The package-level ledger is optimized for size as much as for runs: at 10,000 runs its code is
// 27.3 KB, at 200 runs 23.0 KB, against the 24,576 bytes EIP-170 lets a contract deploy (its views
// are PedigreePackageLens's, which is what brought it under). npm run bench:gas reports its size.
const PACKAGE_LEDGER_RUNS = 200;
const optimizedProfile = {
  compilers: [{ version: SOLC_VERSION, path: solcjsPath, settings: optimizedSettings }],
  overrides: {
    "contracts/PedigreePackageLedger.sol": {
      version: SOLC_VERSION,
      path: solcjsPath,
      settings: { ...optimizedSettings, optimizer: { enabled: true, runs: PACKAGE_LEDGER_RUNS } },
    },
  },
};

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  solidity: {
    profiles: {
      // Tests, coverage and local work: optimizer on, fast enough to compile on 2 cores.
      default: optimizedProfile,
      // What gets deployed and what the gas benchmark measures.
      production: optimizedProfile,
    },
  },
  paths: {
    tests: { solidity: "./test/contracts", mocha: "./test/flows" },
    ...(coverageRun ? { artifacts: "./cache/coverage/artifacts", cache: "./cache/coverage" } : {}),
  },
  test: {
    solidity: {
      fuzz: { runs: 256 },
      invariant: { runs: 64, depth: 32, failOnRevert: false },
    },
  },
  networks: {
    hardhat: {
      type: "edr-simulated",
      chainType: "l1",
      // The demo world (`npm start`) is a year of history: its chain starts in the past and the
      // seed moves the clock forward to now (scripts/demo). Unset, the chain starts now.
      ...(process.env.PEDIGREE_CHAIN_INITIAL_DATE ? { initialDate: process.env.PEDIGREE_CHAIN_INITIAL_DATE } : {}),
    },
    // The development node on this machine: `npm run chain`, or the chain `npm start` started (on
    // another port with --chain-port, or anvil's with --chain=anvil: scripts/start.ts sets this URL).
    // The anvil suite runs the flow tests here (`hardhat test mocha --network localhost`).
    localhost: { type: "http", chainType: "l1", url: process.env.PEDIGREE_LOCAL_RPC_URL || "http://127.0.0.1:8545" },
    // Any EVM network (a public L2, a Besu QBFT consortium chain...). Set with
    // `npx hardhat keystore set PEDIGREE_RPC_URL` and `... PEDIGREE_DEPLOYER_KEY`, or env vars.
    // `node scripts/deploy.ts --network remote [--yes]` deploys there (docs/OPERATIONS.md).
    remote: {
      type: "http",
      chainType: "l1",
      url: configVariable("PEDIGREE_RPC_URL"),
      accounts: [configVariable("PEDIGREE_DEPLOYER_KEY")],
    },
  },
});
