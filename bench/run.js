#!/usr/bin/env node
// `npm run bench -- NAME`: sets up (Python anchors included), then runs dist/bench/NAME.js.
// Each bench prints its figures with ratios against the anchor measured in the same run,
// and writes them to bench/results/NAME.json.
const { execFileSync, spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const name = process.argv[2];
const available = () =>
  fs.existsSync(path.join(root, "bench")) ? fs.readdirSync(path.join(root, "bench")).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3)) : [];
if (!name) {
  console.error(`usage: npm run bench -- NAME   (NAME: ${available().join(", ")})`);
  process.exit(2);
}
execFileSync("bash", [path.join(root, ".ci", "setup.sh"), "bench"], { stdio: "inherit" });
const script = path.join(root, "dist", "bench", `${name}.js`);
if (!fs.existsSync(script)) {
  console.error(`No bench named "${name}". Available: ${available().join(", ")}`);
  process.exit(2);
}
const result = spawnSync(process.execPath, ["--expose-gc", script, ...process.argv.slice(3)], { stdio: "inherit", cwd: root });
process.exit(result.status ?? 1);
