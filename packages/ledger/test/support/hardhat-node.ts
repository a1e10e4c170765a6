/**
 * A Hardhat JSON-RPC node whose genesis block is at a chosen time: `hardhat node` has no option
 * for it and a chain's clock never goes back, so the demo world's history (batches that expired
 * months ago) needs the chain to start in the past. Prints `listening <port>` once it answers.
 *
 *   node packages/ledger/test/support/hardhat-node.ts <port, 0 for any> [<genesis ISO date>]
 */
import { network } from "hardhat";

const [portArgument = "0", genesis] = process.argv.slice(2);
const server = await network.createServer(
  { network: "hardhat", override: genesis === undefined ? {} : { initialDate: genesis } },
  "127.0.0.1",
  Number(portArgument),
);
const { port } = await server.listen();
console.log(`listening ${port}`);
const stop = () => void server.close().then(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
