/**
 * Seeded generator of the data-prep benchmark table, the same shape as the shared anchor's gen_data.py:
 * n rows = 98% unique rows + 2% exact duplicates of them, shuffled; x1 ~ N(0,1) (5 decimals), x2 ~ U(0,100)
 * (4 decimals), x3 ~ Exp(mean 2) (5 decimals), x4 integer 0..9999 written as a float; each numeric column 5% missing;
 * cat10 = c0..c9, cat1000 = k0..k999, target 0/1. Written as CSV (missing = empty field), as pandas writes it.
 */
import * as fs from "fs";
import * as path from "path";
import { seededRandom } from "../../lib/data/split";

/** Writes the table as CSV to `file` (temp file + rename). Returns the number of duplicate rows injected. */
export function generateDataCsv(file: string, n = 1_000_000, seed = 42): { rows: number; duplicates: number } {
  const rand = seededRandom(seed);
  const nUnique = Math.floor(n * 0.98);
  const normal = (): number => {
    let u = 0;
    while (u === 0) u = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
  const round = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;
  const fmt = (v: number) => (Number.isInteger(v) ? `${v}.0` : String(v));
  const lines: string[] = new Array(nUnique);
  for (let i = 0; i < nUnique; i++) {
    const x1 = round(normal(), 5);
    const x2 = round(rand() * 100, 4);
    const x3 = round(-2 * Math.log(1 - rand()), 5);
    const x4 = Math.floor(rand() * 10000);
    const cat10 = `c${Math.floor(rand() * 10)}`;
    const cat1000 = `k${Math.floor(rand() * 1000)}`;
    const target = rand() < 0.5 ? 0 : 1;
    const miss = () => rand() < 0.05;
    lines[i] =
      `${miss() ? "" : fmt(x1)},${miss() ? "" : fmt(x2)},${miss() ? "" : fmt(x3)},${miss() ? "" : fmt(x4)},${cat10},${cat1000},${target}`;
  }
  const all = new Array<string>(n);
  for (let i = 0; i < nUnique; i++) all[i] = lines[i];
  for (let i = nUnique; i < n; i++) all[i] = lines[Math.floor(rand() * nUnique)];
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, "w");
  fs.writeSync(fd, "x1,x2,x3,x4,cat10,cat1000,target\n");
  const block = 50000;
  for (let i = 0; i < n; i += block) fs.writeSync(fd, all.slice(i, i + block).join("\n") + "\n");
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
  return { rows: n, duplicates: n - nUnique };
}
