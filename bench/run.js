#!/usr/bin/env node
// `npm run bench -- NAME`: sets up (Python anchors included), then runs dist/bench/NAME.js.
// Each bench prints its figures with ratios against the anchor measured in the same run,
// and writes them to bench/results/NAME.json.
const { execFileSync, spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const root = path.resolve(__dirname, "..");
const name = process.argv[2];
const available = () =>
  fs.existsSync(path.join(root, "bench"))
    ? fs
        .readdirSync(path.join(root, "bench"))
        .filter((f) => f.endsWith(".ts"))
        .map((f) => f.slice(0, -3))
    : [];
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
const resultsDir = path.join(root, "bench", "results");
// Arguments that select a part of a bench (e.g. `sequence`), as opposed to `quick` or flags, which change how it runs.
const extraArgs = process.argv.slice(3).filter((a) => !a.startsWith("-") && a !== "quick");
const startedAt = Date.now();
const machine = {
  date: new Date(startedAt).toISOString(),
  cpu: os.cpus()[0]?.model ?? "unknown",
  cores: os.cpus().length,
  memory_gib: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  commit: gitCommit(),
  load_average_start: os.loadavg()[0],
  quick: process.argv.includes("quick"),
};
const result = spawnSync(process.execPath, ["--expose-gc", script, ...process.argv.slice(3)], {
  stdio: "inherit",
  cwd: root,
});
if (result.status === 0) stampResults();
process.exit(result.status ?? 1);

/**
 * The commit the bench ran at, with "+changes" when the work tree differed from it. The results files and the README
 * (whose performance table is generated from them) do not count: every run rewrites the former.
 */
function gitCommit() {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
    const measured = [".", ":(exclude)bench/results", ":(exclude)README.md"];
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no", "--", ...measured], {
      cwd: root,
      encoding: "utf8",
    }).trim();
    return dirty ? `${head}+changes` : head;
  } catch {
    return "unknown";
  }
}

/**
 * Adds a `run` block (date, CPU, cores, memory, Node, commit, load average at start and end) to every results file
 * this run wrote, so each ratio can be quoted with the machine and the load it was measured under.
 */
function stampResults() {
  if (!fs.existsSync(resultsDir)) return;
  for (const file of fs.readdirSync(resultsDir).filter((f) => f.endsWith(".json"))) {
    const full = path.join(resultsDir, file);
    if (fs.statSync(full).mtimeMs < startedAt) continue;
    const data = JSON.parse(fs.readFileSync(full, "utf8"));
    // A partial run (`npm run bench -- training sequence`) merges its figures into the file: stamp only that part.
    const key = extraArgs.length ? `run_${extraArgs.join("_")}` : "run";
    data[key] = { ...machine, load_average_end: os.loadavg()[0], seconds: Math.round((Date.now() - startedAt) / 1000) };
    const temp = `${full}.${process.pid}.tmp`;
    fs.writeFileSync(temp, JSON.stringify(data, null, 2) + "\n");
    fs.renameSync(temp, full);
  }
}
