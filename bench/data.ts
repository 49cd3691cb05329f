/**
 * `npm run bench -- data`: the step-2 data-prep benchmark. Generates the seeded 1M-row table (bench/data-anchors/gen-data.ts),
 * writes it as CSV, then times CSV loading and the same pipeline — dedupe, median impute, min-max scale, one-hot on the
 * 10-level column, label-encode the 1000-level column, 80/10/10 split — with trainlab, Polars (nodejs-polars, eager and
 * lazy; the faster is the anchor), pandas, arquero and danfojs-node, each in its own child process (peak RSS measured per
 * child). Checks that all give the same row counts, split sizes, column count and column sums, and that every CSV load
 * reads the same shape. Polars lives in bench/data-anchors' own install (`bash .ci/setup.sh bench`); without it the
 * Polars anchor is reported as skipped. Writes bench/results/data.json with ratio_* fields (trainlab / anchor; below 1
 * means trainlab is faster or smaller) and the 1-minute load average before every child run (the machine may be shared).
 *   options: --rows N (default 1000000)  --repeat R (default 3)  --skip-danfojs  --skip-arquero
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { generateDataCsv } from "./data-anchors/gen-data";

const ROOT = path.resolve(__dirname, "..", "..");
const NUM = ["x1", "x2", "x3", "x4"];

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

/** Whether bench/data-anchors' nodejs-polars install loads (its native binary included); the reason when not. */
function polarsStatus(anchors: string): string | undefined {
  if (!fs.existsSync(path.join(anchors, "node_modules", "nodejs-polars")))
    return `nodejs-polars is not installed in ${path.relative(ROOT, anchors)}: run \`bash .ci/setup.sh bench\``;
  const r = spawnSync(process.execPath, ["-e", "require('nodejs-polars').DataFrame({ a: [1] })"], {
    cwd: anchors,
    encoding: "utf8",
  });
  return r.status === 0 ? undefined : `nodejs-polars does not load: ${r.stderr.trim().split("\n").slice(-3).join(" ")}`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// ------------------------------------------------------------------------------------------ child modes

async function childPipeline(csv: string): Promise<void> {
  const data = await import("../lib/data");
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const t0 = performance.now();
  const c0 = cpu();
  const table = await data.loadCSV(csv);
  const t1 = performance.now();
  const c1 = cpu();
  // CPU seconds beside wall seconds: on a shared machine the wall time of a step also counts time spent waiting for a core.
  const steps: Record<string, number> = {};
  const stepsCpu: Record<string, number> = {};
  let tp = t1;
  let cp = c1;
  const mark = (k: string) => {
    const x = performance.now();
    const c = cpu();
    steps[k] = +((x - tp) / 1e3).toFixed(3);
    stepsCpu[k] = +(c - cp).toFixed(3);
    tp = x;
    cp = c;
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
  const c2 = cpu();
  let sumScaled = 0;
  for (const c of NUM) {
    const v = data.numericColumn(t, c).values;
    for (let i = 0; i < v.length; i++) sumScaled += v[i];
  }
  let sumCode = 0;
  const codes = data.numericColumn(t, "cat1000").values;
  for (let i = 0; i < codes.length; i++) sumCode += codes[i];
  console.log(
    JSON.stringify({
      bench: "df",
      impl: "trainlab",
      load_s: (t1 - t0) / 1e3,
      pipeline_s: (t2 - t1) / 1e3,
      steps,
      load_cpu_s: c1 - c0,
      pipeline_cpu_s: c2 - c1,
      steps_cpu: stepsCpu,
      rows_dedup: t.numRows(),
      cols: t.numCols(),
      split: [split.train.numRows(), split.validation!.numRows(), split.test.numRows()],
      check_sum_scaled: sumScaled,
      check_sum_code: sumCode,
      rss_mb: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

async function childLoad(csv: string, engine: "trainlab" | "duckdb"): Promise<void> {
  const data = await import("../lib/data");
  const t = performance.now();
  const c = process.cpuUsage();
  const table = await data.loadCSV(csv, { engine });
  const sec = (performance.now() - t) / 1e3;
  const u = process.cpuUsage(c);
  console.log(
    JSON.stringify({
      bench: "csv",
      impl: `trainlab-${engine}`,
      sec,
      cpu_s: (u.user + u.system) / 1e6,
      rows: table.numRows(),
      cols: table.numCols(),
      rss_mb: process.resourceUsage().maxRSS / 1024,
    }),
  );
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
  const skipArquero = args.includes("--skip-arquero");
  const dataDir = path.join(ROOT, "bench", "data");
  const csv = path.join(dataDir, `data_${rows}.csv`);
  const stamp = `${csv}.gen-v1`;
  if (!fs.existsSync(csv) || !fs.existsSync(stamp)) {
    const t = performance.now();
    const g = generateDataCsv(csv, rows, 42);
    fs.writeFileSync(stamp, "seed 42\n");
    console.log(
      `generated ${csv}: ${g.rows} rows (${g.duplicates} duplicates) in ${((performance.now() - t) / 1e3).toFixed(1)} s`,
    );
  }
  const py = python();
  const self = __filename;
  const anchors = path.join(ROOT, "bench", "data-anchors");
  const load = os.loadavg()[0];
  const polarsSkipped = polarsStatus(anchors);
  console.log(
    `data bench: ${rows} rows, ${fs.statSync(csv).size / 1e6} MB CSV, ${os.cpus().length} cores, load average ${load.toFixed(2)} at start${py ? "" : " (no python3 with pandas: pandas anchor skipped)"}`,
  );
  if (polarsSkipped) console.log(`POLARS ANCHOR SKIPPED: ${polarsSkipped}`);
  const loads: number[] = [];
  const child = (cmd: string[]) => {
    loads.push(os.loadavg()[0]);
    return measure(py, cmd, ROOT);
  };

  const runs: Record<string, { load: number[]; pipeline: number[]; rss: number[]; last?: Record<string, unknown> }> =
    {};
  const cpuOf: Record<string, number[]> = {}; // trainlab's own CPU seconds (pipeline, CSV load), per run
  const record = (
    key: string,
    res: { json: Record<string, unknown>; rssMb: number },
    loadField: string,
    pipe = true,
  ) => {
    const r = (runs[key] ??= { load: [], pipeline: [], rss: [] });
    r.load.push(Number(res.json[loadField]));
    if (pipe && res.json.pipeline_s !== undefined) r.pipeline.push(Number(res.json.pipeline_s));
    r.rss.push(res.rssMb);
    const cpuS = res.json.pipeline_cpu_s ?? res.json.cpu_s;
    if (cpuS !== undefined) (cpuOf[key] ??= []).push(Number(cpuS));
    r.last = res.json;
  };
  // Interleaved, so a burst of load from other work on the machine hits every implementation alike.
  for (let k = 0; k < repeat; k++) {
    record("trainlab", child([process.execPath, self, "--child", "pipeline", csv]), "load_s");
    if (!polarsSkipped) {
      record("polars_eager", child([process.execPath, path.join(anchors, "df_polars.js"), csv, "eager"]), "load_s");
      record("polars_lazy", child([process.execPath, path.join(anchors, "df_polars.js"), csv, "lazy"]), "load_s");
    }
    if (py) record("pandas", child([py, path.join(anchors, "df_pandas.py"), csv]), "load_s");
    record("trainlab_csv", child([process.execPath, self, "--child", "load", csv]), "sec", false);
    if (!polarsSkipped)
      record("polars_csv", child([process.execPath, path.join(anchors, "csv_read.js"), "polars", csv]), "sec", false);
    record("trainlab_csv_duckdb", child([process.execPath, self, "--child", "load-duckdb", csv]), "sec", false);
    if (py) record("pandas_csv", child([py, path.join(anchors, "csv_read.py"), csv]), "sec", false);
  }
  if (!skipArquero) {
    record("arquero", child([process.execPath, path.join(anchors, "df_arquero.js"), csv]), "load_s");
    record("arquero_csv", child([process.execPath, path.join(anchors, "csv_read.js"), "arquero", csv]), "sec", false);
  }
  if (!skipDanfo) {
    record("danfojs", child([process.execPath, path.join(anchors, "df_danfo.js"), csv]), "load_s");
    record("danfojs_csv", child([process.execPath, path.join(anchors, "csv_read.js"), "danfojs", csv]), "sec", false);
  }
  const loadEnd = os.loadavg()[0];

  const sec = (k: string, f: "load" | "pipeline") => (runs[k] ? median(runs[k][f]) : NaN);
  const rss = (k: string) => (runs[k] ? Math.max(...runs[k].rss) : NaN);

  // Honesty check: same rows and sums everywhere.
  const ref = runs.trainlab.last!;
  const problems: string[] = [];
  const notes: string[] = [];
  for (const impl of ["polars_eager", "polars_lazy", "pandas", "arquero", "danfojs"]) {
    const o = runs[impl]?.last;
    if (!o) continue;
    if (o.rows_dedup !== ref.rows_dedup)
      problems.push(`${impl}: ${o.rows_dedup} rows after dedupe vs trainlab ${ref.rows_dedup}`);
    if (JSON.stringify(o.split) !== JSON.stringify(ref.split))
      problems.push(`${impl}: split ${JSON.stringify(o.split)} vs trainlab ${JSON.stringify(ref.split)}`);
    if (o.cols !== ref.cols) problems.push(`${impl}: ${o.cols} columns vs trainlab ${ref.cols}`);
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));
    if (rel(Number(o.check_sum_scaled), Number(ref.check_sum_scaled)) > 1e-6)
      problems.push(`${impl}: sum of scaled columns ${o.check_sum_scaled} vs trainlab ${ref.check_sum_scaled}`);
    // danfojs' LabelEncoder numbers classes by first appearance, not sorted: its code sum differs by design.
    if (impl === "danfojs")
      notes.push(
        `danfojs label codes are in order of first appearance (sum ${o.check_sum_code}), not sorted like pandas/arquero/trainlab (sum ${ref.check_sum_code}); not compared`,
      );
    else if (Number(o.check_sum_code) !== Number(ref.check_sum_code))
      problems.push(`${impl}: sum of label codes ${o.check_sum_code} vs trainlab ${ref.check_sum_code}`);
  }
  const refCsv = runs.trainlab_csv.last!;
  for (const k of ["trainlab_csv_duckdb", "polars_csv", "pandas_csv", "arquero_csv", "danfojs_csv"]) {
    const o = runs[k]?.last;
    if (o && (o.rows !== refCsv.rows || o.cols !== refCsv.cols))
      problems.push(`${k}: read ${o.rows}×${o.cols} vs trainlab ${refCsv.rows}×${refCsv.cols}`);
  }
  // The Polars anchor is whichever of its eager and lazy pipelines ran faster (median of the repeats).
  const polarsMode = polarsSkipped
    ? undefined
    : sec("polars_lazy", "pipeline") < sec("polars_eager", "pipeline")
      ? "lazy"
      : "eager";
  if (polarsMode) runs.polars = runs[`polars_${polarsMode}`];
  if (polarsSkipped) notes.push(`Polars anchor skipped: ${polarsSkipped}`);

  const r3 = (x: number) => +x.toFixed(3);
  const result: Record<string, unknown> = {
    bench: "data",
    date: new Date().toISOString(),
    rows,
    repeat,
    cores: os.cpus().length,
    load_average_at_start: r3(load),
    load_average_at_end: r3(loadEnd),
    load_average_before_each_child: loads.map((x) => +x.toFixed(2)),
    trainlab_pipeline_s: r3(sec("trainlab", "pipeline")),
    trainlab_steps_s: runs.trainlab.last!.steps,
    trainlab_steps_cpu_s: runs.trainlab.last!.steps_cpu,
    trainlab_pipeline_cpu_s: r3(median(cpuOf.trainlab ?? [NaN])),
    trainlab_csv_load_cpu_s: r3(median(cpuOf.trainlab_csv ?? [NaN])),
    trainlab_csv_load_s: r3(sec("trainlab_csv", "load")),
    trainlab_csv_load_duckdb_s: r3(sec("trainlab_csv_duckdb", "load")),
    trainlab_peak_rss_mb: r3(rss("trainlab")),
    trainlab_csv_peak_rss_mb: r3(rss("trainlab_csv")),
    polars_version: polarsSkipped ? null : "nodejs-polars 0.25.2",
    polars_pipeline_mode: polarsMode ?? null,
    polars_pipeline_s: r3(sec("polars", "pipeline")),
    polars_eager_pipeline_s: r3(sec("polars_eager", "pipeline")),
    polars_lazy_pipeline_s: r3(sec("polars_lazy", "pipeline")),
    polars_steps_s: runs.polars_eager?.last?.steps,
    polars_csv_load_s: r3(sec("polars_csv", "load")),
    polars_peak_rss_mb: r3(rss("polars")),
    polars_csv_peak_rss_mb: r3(rss("polars_csv")),
    pandas_pipeline_s: r3(sec("pandas", "pipeline")),
    pandas_steps_s: runs.pandas?.last?.steps,
    pandas_csv_load_s: r3(sec("pandas_csv", "load")),
    pandas_peak_rss_mb: r3(rss("pandas")),
    pandas_csv_peak_rss_mb: r3(rss("pandas_csv")),
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
    ratio_pipeline_vs_polars: r3(sec("trainlab", "pipeline") / sec("polars", "pipeline")),
    ratio_csv_load_vs_polars: r3(sec("trainlab_csv", "load") / sec("polars_csv", "load")),
    ratio_peak_rss_vs_polars: r3(rss("trainlab") / rss("polars")),
    ratio_pipeline_vs_pandas: r3(sec("trainlab", "pipeline") / sec("pandas", "pipeline")),
    ratio_csv_load_vs_pandas: r3(sec("trainlab_csv", "load") / sec("pandas_csv", "load")),
    ratio_csv_load_duckdb_vs_pandas: r3(sec("trainlab_csv_duckdb", "load") / sec("pandas_csv", "load")),
    ratio_peak_rss_vs_pandas: r3(rss("trainlab") / rss("pandas")),
    ratio_pipeline_vs_arquero: r3(sec("trainlab", "pipeline") / sec("arquero", "pipeline")),
    ratio_csv_load_vs_arquero: r3(sec("trainlab_csv", "load") / sec("arquero_csv", "load")),
    ratio_pipeline_vs_danfojs: r3(sec("trainlab", "pipeline") / sec("danfojs", "pipeline")),
    ratio_csv_load_vs_danfojs: r3(sec("trainlab_csv", "load") / sec("danfojs_csv", "load")),
    targets: {
      pipeline_vs_polars: "<= 1.0",
      csv_load_vs_polars: "<= 1.0",
      peak_rss_vs_pandas: "<= 1.5",
      pipeline_vs_pandas: "<= 1.0",
      csv_load_vs_pandas: "<= 1.0",
    },
  };
  const rowsOut: [string, string, string, string][] = [["impl", "CSV load s", "pipeline s", "peak RSS MB"]];
  for (const impl of ["trainlab", "polars", "pandas", "arquero", "danfojs"]) {
    if (!runs[impl]) continue;
    rowsOut.push([
      impl === "polars" ? `polars (${polarsMode})` : impl,
      sec(`${impl}_csv`, "load").toFixed(3),
      sec(impl, "pipeline").toFixed(3),
      rss(impl).toFixed(0),
    ]);
  }
  console.log(rowsOut.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(16) : c.padStart(12))).join(" ")).join("\n"));
  console.log(
    `trainlab CPU time (medians): pipeline ${median(cpuOf.trainlab ?? [NaN]).toFixed(3)} s, CSV load ${median(cpuOf.trainlab_csv ?? [NaN]).toFixed(3)} s`,
  );
  if (!polarsSkipped)
    console.log(
      `Polars pipeline: eager ${sec("polars_eager", "pipeline").toFixed(3)} s, lazy ${sec("polars_lazy", "pipeline").toFixed(3)} s`,
    );
  console.log(
    `load average (1 min) before each child: ${loads.map((x) => x.toFixed(1)).join(" ")}; ${loadEnd.toFixed(2)} at the end`,
  );
  console.log(`trainlab CSV load via DuckDB: ${sec("trainlab_csv_duckdb", "load").toFixed(3)} s`);
  for (const [k, v] of Object.entries(result)) if (k.startsWith("ratio_")) console.log(`${k.padEnd(34)} ${v}`);
  for (const n of notes) console.log(`note: ${n}`);
  console.log(
    problems.length
      ? `INCONSISTENT:\n  ${problems.join("\n  ")}`
      : "all implementations agree on rows, split sizes, column count and sums",
  );
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
