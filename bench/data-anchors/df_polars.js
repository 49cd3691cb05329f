// Preprocessing pipeline (nodejs-polars, installed in this folder by `.ci/setup.sh bench`).
// Usage: node df_polars.js <csv> [eager|lazy]. Load is timed separately from the pipeline.
//   eager: one DataFrame call per step (timed per step, like the other anchors).
//   lazy:  the whole pipeline as one lazy query, collected once (what Polars recommends); the split is eager
//          because sampling is a DataFrame method. No per-step times: Polars fuses the steps.
// Same semantics as df_pandas.py: dedupe keeps the first occurrence in order, medians and min/max skip missing
// values, one-hot columns cat10_<level> as u8 in place of cat10, label codes 0..k-1 in sorted level order,
// then a seeded shuffle and an 80/10/10 split of the shuffled rows.
const pl = require("nodejs-polars");
const path = process.argv[2] || "data_1m.csv",
  mode = process.argv[3] || "eager",
  NUM = ["x1", "x2", "x3", "x4"];
const scaled = (c) =>
  pl
    .col(c)
    .minus(pl.col(c).min())
    .div(pl.col(c).max().minus(pl.col(c).min()))
    .alias(c);
// Sorted levels mapped to 0..k-1 with replaceStrict: 12x faster here than rank('dense') on the strings, and as fast as a join.
const labelEncode = (d) => {
  const levels = d.getColumn("cat1000").unique().sort().toArray();
  return d.withColumns(
    pl.col("cat1000").replaceStrict(
      levels,
      levels.map((_, i) => i),
      undefined,
      pl.Int32,
    ),
  );
};
const t0 = performance.now();
let df = pl.readCSV(path);
const t1 = performance.now();
const steps = {};
let tp = t1;
const mark = (k) => {
  const x = performance.now();
  steps[k] = +((x - tp) / 1e3).toFixed(3);
  tp = x;
};
if (mode === "eager") {
  df = df.unique({ maintainOrder: true }); // 1. exact duplicate rows
  mark("dedupe");
  df = df.withColumns(...NUM.map((c) => pl.col(c).fillNull(pl.col(c).median()))); // 2. median imputation
  mark("impute");
  df = df.withColumns(...NUM.map(scaled)); // 3. min-max scale
  mark("scale");
  df = df.toDummies("cat10"); // 4. one-hot (10 levels), u8
  mark("onehot");
  df = labelEncode(df); // 5. label-encode (sorted levels)
  mark("label");
} else if (mode === "lazy") {
  df = df
    .lazy()
    .unique({ maintainOrder: true })
    .withColumns(...NUM.map((c) => pl.col(c).fillNull(pl.col(c).median())))
    .withColumns(...NUM.map(scaled))
    .collectSync();
  df = labelEncode(df.toDummies("cat10")); // eager: both need the levels first
  mark("lazy_query");
} else throw new Error(`unknown mode ${mode}: use eager or lazy`);
const n = df.height,
  a = Math.floor(0.8 * n),
  b = Math.floor(0.9 * n);
const s = df.sample({ frac: 1, shuffle: true, seed: 0 }); // 6. shuffled copy, then 80/10/10
const train = s.slice(0, a),
  val = s.slice(a, b - a),
  test = s.slice(b, n - b);
mark("split");
const t2 = performance.now();
const chk = df
  .select(...NUM.map((c) => pl.col(c).sum()), pl.col("cat1000").cast(pl.Int64).sum().alias("code"))
  .toRecords()[0];
console.log(
  JSON.stringify({
    bench: "df",
    impl: `polars-${mode}`,
    load_s: (t1 - t0) / 1e3,
    pipeline_s: (t2 - t1) / 1e3,
    steps,
    rows_dedup: n,
    cols: df.width,
    split: [train.height, val.height, test.height],
    check_sum_scaled: NUM.reduce((acc, c) => acc + chk[c], 0),
    check_sum_code: Number(chk.code),
    onehot_dtype: String(df.getColumn("cat10_c0").dtype),
    code_dtype: String(df.getColumn("cat1000").dtype),
  }),
);
