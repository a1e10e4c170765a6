// npm decides which optional platform packages to install (Hardhat's EDR binding, Next.js's
// compiler...) by the Node version that runs npm. On a machine whose own Node is older than the
// Node 22 this project pins (node_modules/.bin/node), npm skips those whose engines ask for 22.
// Running the install once more, now under the pinned Node, brings them in.
import { spawnSync } from "node:child_process";

const installerNode = /node\/v(\d+)/.exec(process.env.npm_config_user_agent ?? "")?.[1];
const rerun = process.env.PEDIGREE_POSTINSTALL_RERUN === "1";

if (!rerun && installerNode !== undefined && Number(installerNode) < 22) {
  console.log(
    `postinstall: npm ran on Node ${installerNode}; completing the install under Node ${process.versions.node}`,
  );
  const result = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts=false"], {
    stdio: "inherit",
    env: { ...process.env, PEDIGREE_POSTINSTALL_RERUN: "1" },
  });
  process.exit(result.status ?? 1);
}
