/**
 * The README's performance table, built from the benches' saved results (bench/results/*.json): one row per goal of
 * the performance issues, with the ratio a bench printed, the goal, whether the ratio meets it, and when, on what
 * machine and at what load the bench ran. `node dist/bench/tools/performance-table.js` prints the table;
 * `--write` puts it into README.md between its markers. tests/foundation/performance-table.test.ts checks that the
 * README quotes exactly what the results files hold, so the two cannot drift apart.
 */
import * as fs from "fs";
import * as path from "path";

/** One goal: where its ratio is saved, and which way is better. */
export interface PerformanceGoal {
  /** What was measured, as the table shows it. */
  work: string;
  /** The anchor the ratio is against. */
  anchor: string;
  /** Results file (without `.json`) and the key of the ratio in it. */
  bench: string;
  key: string;
  /** "at most": trainlab time / anchor time, lower is better. "at least": throughput ratio, higher is better. */
  direction: "at most" | "at least";
  goal: number;
  /**
   * A part of the bench run on its own (`npm run bench -- training sequence`), merged into the results file with its
   * own date and load: the row is stamped from that part (`run_sequence`, or the part's own block) instead of the file's.
   */
  part?: string;
}

/** Every goal the README's table quotes, in order. */
export const PERFORMANCE_GOALS: readonly PerformanceGoal[] = [
  {
    work: "HistGradientBoosting fit, 100 rounds, 20k × 20 (1 thread)",
    anchor: "scikit-learn fit time",
    bench: "models",
    key: "ratio_hgb_fit_time_1_thread",
    direction: "at most",
    goal: 1,
  },
  {
    work: "HistGradientBoosting fit, same, `nJobs: 2`",
    anchor: "scikit-learn fit time",
    bench: "models",
    key: "ratio_hgb_fit_time_2_threads",
    direction: "at most",
    goal: 1,
  },
  {
    work: "HistGradientBoosting fit, CPU time (1 thread; steadier than wall time on a shared machine)",
    anchor: "scikit-learn CPU time",
    bench: "models",
    key: "ratio_hgb_cpu_time",
    direction: "at most",
    goal: 1,
  },
  {
    work: "Random forest fit, 100 trees",
    anchor: "scikit-learn fit time",
    bench: "models",
    key: "ratio_rf_fit_time",
    direction: "at most",
    goal: 0.7,
  },
  {
    work: "`mlp()` estimator training",
    anchor: "tuned PyTorch throughput",
    bench: "models-nn",
    key: "ratio_mlp_vs_torch",
    direction: "at least",
    goal: 1,
  },
  {
    work: "`cnn()` estimator training",
    anchor: "tuned PyTorch throughput",
    bench: "models-nn",
    key: "ratio_cnn_vs_torch",
    direction: "at least",
    goal: 1,
  },
  {
    work: "`cnn()` estimator over a bare `model.fit` of its layers",
    anchor: "bare `model.fit` throughput",
    bench: "models-nn",
    key: "ratio_cnn_estimator_vs_bare_fit",
    direction: "at least",
    goal: 1,
  },
  {
    work: "plain tfjs `model.fit`, MLP batch 128",
    anchor: "tuned PyTorch throughput",
    bench: "training",
    key: "ratio_mlp128_native_vs_torch_tuned",
    direction: "at least",
    goal: 1,
  },
  {
    work: "plain tfjs `model.fit`, MLP batch 512",
    anchor: "tuned PyTorch throughput",
    bench: "training",
    key: "ratio_mlp512_native_vs_torch_tuned",
    direction: "at least",
    goal: 1,
  },
  {
    work: "plain tfjs `model.fit`, MNIST CNN",
    anchor: "tuned PyTorch throughput",
    bench: "training",
    key: "ratio_cnn_native_vs_torch_tuned",
    direction: "at least",
    goal: 0.5,
  },
  {
    work: "LSTM training (64 units, 50 steps, batch 64)",
    anchor: "tuned PyTorch `nn.LSTM`",
    bench: "training",
    key: "ratio_lstm_native_vs_torch_tuned",
    direction: "at least",
    goal: 1,
    part: "sequence",
  },
  {
    work: "GRU training (same sizes)",
    anchor: "tuned PyTorch `nn.GRU`",
    bench: "training",
    key: "ratio_gru_native_vs_torch_tuned",
    direction: "at least",
    goal: 1,
    part: "sequence",
  },
  {
    work: "Transformer encoder training",
    anchor: "tuned PyTorch `nn.TransformerEncoder`",
    bench: "training",
    key: "ratio_transformer_native_vs_torch_tuned",
    direction: "at least",
    goal: 1,
    part: "sequence",
  },
  {
    work: "1024² matmul with `dataSync`",
    anchor: "numpy throughput",
    bench: "training",
    key: "ratio_matmul_native_vs_numpy",
    direction: "at least",
    goal: 0.9,
  },
  {
    work: "1M-row prep pipeline",
    anchor: "Polars time",
    bench: "data",
    key: "ratio_pipeline_vs_polars",
    direction: "at most",
    goal: 1,
  },
  {
    work: "1M-row CSV load",
    anchor: "Polars time",
    bench: "data",
    key: "ratio_csv_load_vs_polars",
    direction: "at most",
    goal: 1,
  },
  {
    work: "peak RSS of the 1M-row pipeline",
    anchor: "pandas peak RSS",
    bench: "data",
    key: "ratio_peak_rss_vs_pandas",
    direction: "at most",
    goal: 1.5,
  },
  {
    work: "trivial cell (`1 + 1`), alternating with IPython's",
    anchor: "IPython's time",
    bench: "kernel",
    key: "ratio_trivial_cell_interleaved",
    direction: "at most",
    goal: 1,
  },
  {
    work: "first `kernel_info_reply` after the process starts",
    anchor: "100 ms",
    bench: "kernel",
    key: "ratio_first_kernel_info_vs_100ms_target",
    direction: "at most",
    goal: 1,
  },
  {
    work: 'first `import … from "trainlab"`, as the first cell',
    anchor: "1.5 s",
    bench: "kernel",
    key: "ratio_import_trainlab_at_start_vs_1500ms_target",
    direction: "at most",
    goal: 1,
  },
];

/** The `run` block bench/run.js stamps on each results file. */
interface RunStamp {
  date?: string;
  cpu?: string;
  cores?: number;
  load_average_start?: number;
  load_average_end?: number;
  commit?: string;
  quick?: boolean;
}

/** Reads bench/results/NAME.json, or null when that bench has never been run. */
function readResults(root: string, bench: string): Record<string, unknown> | null {
  const file = path.join(root, "bench", "results", `${bench}.json`);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>) : null;
}

const fixed = (x: number): string => (Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2));

/** A number field of the results, or undefined. */
function num(results: Record<string, unknown>, ...keys: string[]): number | undefined {
  for (const k of keys) if (typeof results[k] === "number") return results[k] as number;
  return undefined;
}

/**
 * When and where a bench ran: its `run` stamp (bench/run.js), or for results saved before the stamp existed, the
 * date, core count and load average the bench itself recorded (saying that the CPU and commit were not recorded).
 */
function runCell(all: Record<string, unknown>, part?: string): string {
  // A part run on its own carries its own stamp; the file's machine block may be from another run (another machine).
  // A full run after the part's own run stamps the whole file again, and then its stamp covers the part too.
  const block = part ? ((all[part] ?? {}) as Record<string, unknown>) : undefined;
  const partDate =
    (all[`run_${part}`] as RunStamp | undefined)?.date ?? (typeof block?.date === "string" ? block.date : undefined);
  const fileDate = (all.run as RunStamp | undefined)?.date ?? (typeof all.date === "string" ? all.date : undefined);
  const ownStamp = part !== undefined && partDate !== undefined && (fileDate === undefined || partDate > fileDate);
  const results = part && ownStamp ? { ...block, run: all[`run_${part}`] } : all;
  const run = results.run as RunStamp | undefined;
  const machine = (results.machine ?? {}) as {
    cpus?: number;
    model?: string;
    loadavg_start?: number;
    loadavg_end?: number;
  };
  const date = run?.date ?? (typeof results.date === "string" ? results.date : undefined);
  const cores = run?.cores ?? machine.cpus ?? num(results, "cores", "cpus");
  const cpu = run?.cpu ?? machine.model;
  const start =
    run?.load_average_start ?? machine.loadavg_start ?? num(results, "load_average_at_start", "loadavg_start");
  const end = run?.load_average_end ?? machine.loadavg_end ?? num(results, "load_average_at_end", "loadavg_end");
  const load =
    start !== undefined && end !== undefined ? `load ${start.toFixed(1)} → ${end.toFixed(1)}` : "load not recorded";
  return [
    date ? date.slice(0, 10) : "date not recorded",
    `${cores ?? "?"} × ${cpu ?? "CPU not recorded"}`,
    load,
    run?.commit ? `commit ${run.commit}` : "commit not recorded",
    ...(run?.quick || results.quick === true ? ["quick run (fewer rounds)"] : []),
  ].join(", ");
}

/** The markdown table of every goal in {@link PERFORMANCE_GOALS}, read from the results under `root`. */
export function performanceTable(root: string): string {
  const lines = [
    "| work | against | ratio | goal | met? | measured (date, machine, load average, commit) |",
    "|---|---|---|---|---|---|",
  ];
  for (const g of PERFORMANCE_GOALS) {
    const results = readResults(root, g.bench);
    const value = results?.[g.key];
    const goal = `${g.direction === "at most" ? "≤" : "≥"} ${g.goal}×`;
    if (results === null || typeof value !== "number" || !Number.isFinite(value)) {
      lines.push(
        `| ${g.work} | ${g.anchor} | not measured | ${goal} | – | \`npm run bench -- ${g.bench}\` has not saved \`${g.key}\` |`,
      );
      continue;
    }
    const met = g.direction === "at most" ? value <= g.goal : value >= g.goal;
    lines.push(
      `| ${g.work} | ${g.anchor} | ${fixed(value)}× | ${goal} | ${met ? "met" : "**not met**"} | ${runCell(results, g.part)} |`,
    );
  }
  return lines.join("\n");
}

/** Markers around the generated table in README.md. */
export const TABLE_START =
  "<!-- performance-table: generated by `node dist/bench/tools/performance-table.js --write`; do not edit by hand -->";
export const TABLE_END = "<!-- /performance-table -->";

/** README text with the block between the markers replaced by `table`. Throws when the markers are missing. */
export function withTable(readme: string, table: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start)
    throw new Error(`README.md has no performance-table markers (${TABLE_START} … ${TABLE_END})`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${table}\n${readme.slice(end)}`;
}

if (require.main === module) {
  const root = path.resolve(__dirname, "..", "..", "..");
  const table = performanceTable(root);
  if (process.argv.includes("--write")) {
    const readmePath = path.join(root, "README.md");
    fs.writeFileSync(readmePath, withTable(fs.readFileSync(readmePath, "utf8"), table));
    console.log("README.md: performance table updated");
  } else {
    console.log(table);
  }
}
