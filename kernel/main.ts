/**
 * The trainlab kernel's entry point: `node dist/kernel/main.js <connection_file>`.
 * Runs trainlab's own protocol layer (kernel/server.ts) and executor (kernel/executor.ts), built on
 * tslab's TypeScript converter approach; it never hands over to another tslab found under the
 * working directory. The working directory is the notebook's folder.
 */
import * as path from "path";
import { KernelServer, readConnectionFile } from "./server";

const connectionFile = process.argv[2];
if (!connectionFile) {
  console.error(`usage: node ${path.relative(process.cwd(), __filename)} <connection_file>`);
  process.exit(2);
}
const server = new KernelServer(readConnectionFile(connectionFile));
server.start().catch((err) => {
  console.error(`trainlab kernel failed to start: ${(err as Error).stack}`);
  process.exit(1);
});
