/**
 * `npm run bench -- data`: the step-2 data-prep benchmark. Generates the seeded 1M-row table (bench/data-anchors/gen-data.ts),
 * writes it as CSV, then times CSV loading and the same pipeline — dedupe, median impute, min-max scale, one-hot on the
 * 10-level column, label-encode the 1000-level column, 80/10/10 split — with trainlab, arquero, danfojs-node and pandas,
 * each in its own child process (peak RSS measured per child). Checks that all give the same row counts and column sums.
 * Writes bench/results/data.json with ratio_* fields (trainlab / anchor; below 1 means trainlab is faster or smaller).
 *   options: --rows N (default 1000000)  --repeat R (default 3)  --skip-danfojs
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { generateDataCsv } from "./data-anchors/gen-data";

const ROOT = path.resolve(__dirname, "..", "..");
const NUM = ["x1", "x2", "x3", "x4"];

interface RunResult {
  impl: string;
  load_s: number;
  pipeline_s?: number;
  steps?: Record<string, number>;
  rows_dedup?: number;
  cols?: number;
  split?: number[];
  check_sum_scaled?: number;
  check_sum_code?: number;
  rss_mb: number;
}

function python(): string | undefined {
  for (const p of [process.env.TRAINLAB_PYTHON, "/usr/bin/python3", "python3"]) {
    if (!p) continue;
    const r = spawnSync(p, ["-c", "import pandas, numpy"], { encoding: "utf8" });
    if (r.status === 0) return p;
  }
  return undefined;
}

/** Runs a command in a child process and returns its last JSON line plus the child's peak RSS (via getrusage). */
function measure(py: string | undefined, cmd: string[], cwd: string): { json: Record<string, unknown>; rssMb: number } {
  let r;
  if (py) {
    const wrapper =
      "import resource, subprocess, sys\n" +
      "p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)\n" +
      "sys.stdout.write(p.stdout); sys.stderr.write(p.stderr[-4000:])\n" +
      "print('PEAK_RSS_KB=%d' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n" +
      "sys.exit(p.returncode)\n";
    r = spawnSync(py, ["-c", wrapper, ...cmd], { cwd, encoding: "utf8", maxBuffer: 1 << 26 });
  } else {
    r = spawnSync(cmd[0], cmd.slice(1), { cwd, encoding: "utf8", maxBuffer: 1 << 26 });
  }
  if (r.status !== 0) throw new Error(`${cmd.join(" ")} failed (${r.status}):\n${r.stderr}`);
  const lines = r.stdout.trim().split("\n");
  const rssLine = lines.find((l) => l.startsWith("PEAK_RSS_KB="));
  const jsonLine = [...lines].reverse().find((l) => l.startsWith("{"));
  if (!jsonLine) throw new Error(`${cmd.join(" ")} printed no JSON:\n${r.stdout}\n${r.stderr}`);
  const json = JSON.parse(jsonLine) as Record<string, unknown>;
  const rssMb = rssLine ? Number(rssLine.slice(12)) / 1024 : Number(json.rss_mb ?? NaN);
  return { json, rssMb };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// ------------------------------------------------------------------------------------------ child modes

async function childPipeline(csv: string): Promise<void> {
  const data = require("../lib/data") as typeof import("../lib/data");
  const t0 = performance.now();
  const table = await data.loadCSV(csv);
  const t1 = performance.now();
  const steps: Record<string, number> = {};
  let tp = t1;
  const mark = (k: string) => {
    const x = performance.now();
    steps[k] = +((x - tp) / 1e3).toFixed(3);
    tp = x;
  };
  let t = new data.DropDuplicates().fitTransform(table);
  mark("dedupe");
  t = new data.Impute({ strategy: "median", columns: NUM }).fitTransform(t);
  mark("impute");
  t = new data.MinMaxScaler({ columns: NUM }).fitTransform(t);
  mark("scale");
  t = new data.OneHotEncoder({ columns: ["cat10"] }).fitTransform(t);
  mark("onehot");
  t = new data.LabelEncoder({ column: "cat1000" }).fitTransform(t);
  mark("label");
  const split = data.trainValTestSplit(t, { ratios: [0.8, 0.1, 0.1], seed: 0 });
  mark("split");
  const t2 = performance.now();
  let sumScaled = 0;
  for (const c of NUM) {
    const v = data.numericColumn(t, c).values;
    for (let i = 0; i < v.length; i++) sumScaled += v[i];
  }
  let sumCode = 0;
  const codes = data.numericColumn(t, "cat1000").values;
  for (let i = 0; i < codes.length; i++) sumCode += codes[i];
  console.log(JSON.stringify({
    bench: "df", impl: "trainlab", load_s: (t1 - t0) / 1e3, pipeline_s: (t2 - t1) / 1e3, steps, rows_dedup: t.numRows(), cols: t.numCols(),
    split: [split.train.numRows(), split.validation!.numRows(), split.test.numRows()], check_sum_scaled: sumScaled, check_sum_code: sumCode,
    rss_mb: process.resourceUsage().maxRSS / 1024,
  }));
}

async function childLoad(csv: string, engine: "trainlab" | "duckdb"): Promise<void> {
  const data = require("../lib/data") as typeof import("../lib/data");
  const t = performance.now();
  const table = await data.loadCSV(csv, { engine });
  const sec = (performance.now() - t) / 1e3;
  console.log(JSON.stringify({ bench: "csv", impl: `trainlab-${engine}`, sec, rows: table.numRows(), cols: table.numCols(), rss_mb: process.resourceUsage().maxRSS / 1024 }));
}

// ------------------------------------------------------------------------------------------ parent

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--child") {
    if (args[1] === "pipeline") return childPipeline(args[2]);
    if (args[1] === "load") return childLoad(args[2], "trainlab");
    if (args[1] === "load-duckdb") return childLoad(args[2], "duckdb");
    throw new Error(`unknown child mode ${args[1]}`);
  }
  const opt = (name: string, dflt: number) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : dflt;
  };
  const rows = opt("--rows", 1_000_000);
  const repeat = opt("--repeat", 3);
  const skipDanfo = args.includes("--skip-danfojs");
  const dataDir = path.join(ROOT, "bench", "data");
  const csv = path.join(dataDir, `data_${rows}.csv`);
  const stamp = `${csv}.gen-v1`;
  if (!fs.existsSync(csv) || !fs.existsSync(stamp)) {
    const t = performance.now();
    const g = generateDataCsv(csv, rows, 42);
    fs.writeFileSync(stamp, "seed 42\n");
    console.log(`generated ${csv}: ${g.rows} rows (${g.duplicates} duplicates) in ${((performance.now() - t) / 1e3).toFixed(1)} s`);
  }
  const py = python();
  const self = __filename;
  const anchors = path.join(ROOT, "bench", "data-anchors");
  const load = os.loadavg()[0];
  console.log(`data bench: ${rows} rows, ${fs.statSync(csv).size / 1e6} MB CSV, ${os.cpus().length} cores, load average ${load.toFixed(2)} at start${py ? "" : " (no python3 with pandas: pandas anchor skipped)"}`);

  const runs: Record<string, { load: number[]; pipeline: number[]; rss: number[]; last?: Record<string, unknown> }> = {};
  const record = (key: string, res: { json: Record<string, unknown>; rssMb: number }, loadField: string, pipe = true) => {
    const r = (runs[key] ??= { load: [], pipeline: [], rss: [] });
    r.load.push(Number(res.json[loadField]));
    if (pipe && res.json.pipeline_s !== undefined) r.pipeline.push(Number(res.json.pipeline_s));
    r.rss.push(res.rssMb);
    r.last = res.json;
  };
  for (let k = 0; k < repeat; k++) {
    record("trainlab", measure(py, [process.execPath, self, "--child", "pipeline", csv], ROOT), "load_s");
    if (py) record("pandas", measure(py, [py, path.join(anchors, "df_pandas.py"), csv], ROOT), "load_s");
    record("trainlab_csv", measure(py, [process.execPath, self, "--child", "load", csv], ROOT), "sec", false);
    record("trainlab_csv_duckdb", measure(py, [process.execPath, self, "--child", "load-duckdb", csv], ROOT), "sec", false);
    if (py) record("pandas_csv", measure(py, [py, path.join(anchors, "csv_read.py"), csv], ROOT), "sec", false);
  }
  record("arquero", measure(py, [process.execPath, path.join(anchors, "df_arquero.js"), csv], ROOT), "load_s");
  record("arquero_csv", measure(py, [process.execPath, path.join(anchors, "csv_read.js"), "arquero", csv], ROOT), "sec", false);
  if (!skipDanfo) {
    record("danfojs", measure(py, [process.execPath, path.join(anchors, "df_danfo.js"), csv], ROOT), "load_s");
    record("danfojs_csv", measure(py, [process.execPath, path.join(anchors, "csv_read.js"), "danfojs", csv], ROOT), "sec", false);
  }

  // Honesty check: same rows and sums everywhere.
  const ref = runs.trainlab.last!;
  const problems: string[] = [];
  const notes: string[] = [];
  for (const impl of ["pandas", "arquero", "danfojs"]) {
    const o = runs[impl]?.last;
    if (!o) continue;
    if (o.rows_dedup !== ref.rows_dedup) problems.push(`${impl}: ${o.rows_dedup} rows after dedupe vs trainlab ${ref.rows_dedup}`);
    if (JSON.stringify(o.split) !== JSON.stringify(ref.split)) problems.push(`${impl}: split ${JSON.stringify(o.split)} vs trainlab ${JSON.stringify(ref.split)}`);
    if (o.cols !== ref.cols) problems.push(`${impl}: ${o.cols} columns vs trainlab ${ref.cols}`);
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));
    if (rel(Number(o.check_sum_scaled), Number(ref.check_sum_scaled)) > 1e-6) problems.push(`${impl}: sum of scaled columns ${o.check_sum_scaled} vs trainlab ${ref.check_sum_scaled}`);
    // danfojs' LabelEncoder numbers classes by first appearance, not sorted: its code sum differs by design.
    if (impl === "danfojs") notes.push(`danfojs label codes are in order of first appearance (sum ${o.check_sum_code}), not sorted like pandas/arquero/trainlab (sum ${ref.check_sum_code}); not compared`);
    else if (Number(o.check_sum_code) !== Number(ref.check_sum_code)) problems.push(`${impl}: sum of label codes ${o.check_sum_code} vs trainlab ${ref.check_sum_code}`);
  }

  const sec = (k: string, f: "load" | "pipeline") => (runs[k] ? median(runs[k][f]) : NaN);
  const rss = (k: string) => (runs[k] ? Math.max(...runs[k].rss) : NaN);
  const r3 = (x: number) => +x.toFixed(3);
  const result: Record<string, unknown> = {
    bench: "data",
    date: new Date().toISOString(),
    rows,
    repeat,
    cores: os.cpus().length,
    load_average_at_start: r3(load),
    trainlab_pipeline_s: r3(sec("trainlab", "pipeline")),
    trainlab_steps_s: runs.trainlab.last!.steps,
    trainlab_csv_load_s: r3(sec("trainlab_csv", "load")),
    trainlab_csv_load_duckdb_s: r3(sec("trainlab_csv_duckdb", "load")),
    trainlab_peak_rss_mb: r3(rss("trainlab")),
    pandas_pipeline_s: r3(sec("pandas", "pipeline")),
    pandas_steps_s: runs.pandas?.last?.steps,
    pandas_csv_load_s: r3(sec("pandas_csv", "load")),
    pandas_peak_rss_mb: r3(rss("pandas")),
    arquero_pipeline_s: r3(sec("arquero", "pipeline")),
    arquero_csv_load_s: r3(sec("arquero_csv", "load")),
    arquero_peak_rss_mb: r3(rss("arquero")),
    danfojs_pipeline_s: r3(sec("danfojs", "pipeline")),
    danfojs_csv_load_s: r3(sec("danfojs_csv", "load")),
    danfojs_peak_rss_mb: r3(rss("danfojs")),
    rows_after_dedupe: ref.rows_dedup,
    split: ref.split,
    check_sum_scaled: ref.check_sum_scaled,
    check_sum_code: ref.check_sum_code,
    consistent: problems.length === 0,
    problems,
    notes,
    ratio_pipeline_vs_pandas: r3(sec("trainlab", "pipeline") / sec("pandas", "pipeline")),
    ratio_csv_load_vs_pandas: r3(sec("trainlab_csv", "load") / sec("pandas_csv", "load")),
    ratio_csv_load_duckdb_vs_pandas: r3(sec("trainlab_csv_duckdb", "load") / sec("pandas_csv", "load")),
    ratio_peak_rss_vs_pandas: r3(rss("trainlab") / rss("pandas")),
    ratio_pipeline_vs_arquero: r3(sec("trainlab", "pipeline") / sec("arquero", "pipeline")),
    ratio_csv_load_vs_arquero: r3(sec("trainlab_csv", "load") / sec("arquero_csv", "load")),
    ratio_pipeline_vs_danfojs: r3(sec("trainlab", "pipeline") / sec("danfojs", "pipeline")),
    ratio_csv_load_vs_danfojs: r3(sec("trainlab_csv", "load") / sec("danfojs_csv", "load")),
    targets: { pipeline_vs_pandas: "<= 1.0", csv_load_vs_pandas: "<= 1.0", peak_rss_vs_pandas: "<= 2.0" },
  };
  const rowsOut: [string, string, string, string][] = [["impl", "CSV load s", "pipeline s", "peak RSS MB"]];
  for (const impl of ["trainlab", "pandas", "arquero", "danfojs"]) {
    if (!runs[impl]) continue;
    rowsOut.push([impl, sec(`${impl}_csv`, "load").toFixed(3), sec(impl, "pipeline").toFixed(3), rss(impl).toFixed(0)]);
  }
  console.log(rowsOut.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(10) : c.padStart(12))).join(" ")).join("\n"));
  console.log(`trainlab CSV load via DuckDB: ${sec("trainlab_csv_duckdb", "load").toFixed(3)} s`);
  for (const [k, v] of Object.entries(result)) if (k.startsWith("ratio_")) console.log(`${k.padEnd(34)} ${v}`);
  for (const n of notes) console.log(`note: ${n}`);
  console.log(problems.length ? `INCONSISTENT:\n  ${problems.join("\n  ")}` : "all implementations agree on rows, split sizes, column count and sums");
  const out = path.join(ROOT, "bench", "results", "data.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(`${out}.tmp`, JSON.stringify(result, null, 2) + "\n");
  fs.renameSync(`${out}.tmp`, out);
  console.log(`wrote ${path.relative(ROOT, out)}`);
  if (problems.length) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
