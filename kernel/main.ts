/**
 * The trainlab kernel's entry point: `node dist/kernel/main.js <connection_file>`.
 * For now it starts tslab's own kernel from this project's node_modules (never handing over
 * to another tslab found under the working directory); the protocol layer of kernel/ replaces it.
 */
import * as path from "path";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { startKernel } = require("tslab/dist/main") as {
  startKernel(options: { configPath: string; enableFindLocal: boolean; jsKernel: boolean; globalVersion: string }): void;
};

const connectionFile = process.argv[2];
if (!connectionFile) {
  console.error(`usage: node ${path.relative(process.cwd(), __filename)} <connection_file>`);
  process.exit(2);
}
startKernel({ configPath: connectionFile, enableFindLocal: false, jsKernel: false, globalVersion: "" });
