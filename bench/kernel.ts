/**
 * Kernel latency: trainlab against the IPython kernel (python3-ipykernel), measured in the same run
 * with the same Jupyter client (jupyter_client from /usr/bin/python3).
 *
 *   npm run bench -- kernel        (writes bench/results/kernel.json)
 *
 * Figures (medians): start to first kernel_info answer; kernel_info round trip; a trivial cell (for
 * trainlab after importing tfjs, arquero and danfojs) over the first and last 30 of 300 cells; for trainlab, a one-line cell using tf and aq after importing tfjs,
 * arquero and danfojs (each cell different, so nothing is served from a cache of identical cells).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { jupyterPython } from "../kernel/install";

const root = path.resolve(__dirname, "..", "..");
const python = jupyterPython();
const kernelName = process.env.TRAINLAB_BENCH_KERNEL ?? "trainlab";

const DRIVER = String.raw`
import json, os, re, statistics, subprocess, sys, threading, time
from jupyter_client.manager import start_new_kernel

name, mode = sys.argv[1], sys.argv[2]
# trainlab traces each kernel_info reply on stderr with the time since its process started (kernel-side clock).
os.environ["TRAINLAB_KERNEL_TRACE"] = "1"
t0 = time.perf_counter()
km, kc = start_new_kernel(kernel_name=name, startup_timeout=120, stderr=subprocess.PIPE)
start_s = time.perf_counter() - t0
traces, listening = [], []
def drain():
    for line in iter(km.provisioner.process.stderr.readline, b""):
        m = re.search(rb"trace: kernel_info_reply (\d+) ms after start \((\d+) after Node's bootstrap\), type checker (\w+)", line)
        if m: traces.append((int(m.group(1)), int(m.group(2)), m.group(3).decode()))
        elif re.search(rb"trace: listening (\d+) ms after start \((\d+) after", line):
            m = re.search(rb"trace: listening (\d+) ms after start \((\d+) after", line)
            listening.append((int(m.group(1)), int(m.group(2))))
        elif b"trace:" not in line: sys.stderr.write(line.decode(errors="replace"))
threading.Thread(target=drain, daemon=True).start()

def reply_to(msg_id, timeout):
    # jupyter_client re-sends kernel_info while the kernel starts, so stale replies can wait on shell: skip them.
    while True:
        m = kc.get_shell_msg(timeout=timeout)
        if m["parent_header"].get("msg_id") == msg_id:
            return m

def run(code):
    t = time.perf_counter()
    msg_id = kc.execute(code)
    reply = reply_to(msg_id, 120)
    while True:
        m = kc.get_iopub_msg(timeout=120)
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            break
    if reply["content"]["status"] != "ok":
        raise SystemExit("cell failed: %r %r" % (code, reply["content"]))
    return (time.perf_counter() - t) * 1000

def kernel_info():
    t = time.perf_counter()
    reply_to(kc.kernel_info(), 30)
    return (time.perf_counter() - t) * 1000

out = {"start_s": start_s}
if mode == "ts":
    deadline = time.time() + 10
    while not traces and time.time() < deadline: time.sleep(0.01)
    if traces:
        out["first_kernel_info_ms"], out["first_kernel_info_after_node_boot_ms"], out["checker_at_first_kernel_info"] = traces[0]
    if listening:
        out["listening_ms"], out["listening_after_node_boot_ms"] = listening[0]
for _ in range(5): kernel_info()
out["kernel_info_ms"] = statistics.median([kernel_info() for _ in range(50)])
if mode == "ts":
    # The trivial cells run after the ML imports, where type checking has the most to carry.
    t = time.perf_counter()
    run('import { tf, aq } from "trainlab";\nimport * as dfd from "danfojs-node";\nconst frame = new dfd.DataFrame({ a: [1, 2, 3] });')
    out["import_s"] = time.perf_counter() - t
trivial = [run("1") for _ in range(300)]
out["trivial_first30_ms"] = statistics.median(trivial[:30])
out["trivial_last30_ms"] = statistics.median(trivial[-30:])
out["trivial_ms"] = statistics.median(trivial)
if mode == "ts":
    run("const warm = tf.tensor([1, 2]).sum().dataSync()[0] + aq.table({ a: [1] }).numRows();")
    one = [run("const v%d = tf.tensor([1, 2, %d]).sum().dataSync()[0] + aq.table({ a: [1, 2, %d] }).numRows() + frame.shape[0];" % (i, i, i)) for i in range(40)]
    out["one_line_ms"] = statistics.median(one)
    err_t = time.perf_counter()
    msg_id = kc.execute("const wrong: number = tf.tensor([1]);")
    reply = reply_to(msg_id, 60)
    out["type_error_reported"] = reply["content"].get("ename") == "TSError"
kc.stop_channels()
km.shutdown_kernel(now=True)
print(json.dumps(out))
`;

function measure(kernel: string, mode: "ts" | "py"): Record<string, number | boolean> {
  const r = spawnSync(python, ["-c", DRIVER, kernel, mode], { cwd: path.join(root, "notebooks"), encoding: "utf8", timeout: 900_000 });
  if (r.status !== 0) throw new Error(`measuring ${kernel} failed:\n${r.stderr}`);
  const line = r.stdout.trim().split("\n").pop() ?? "{}";
  return JSON.parse(line);
}

function main(): void {
  const py = measure("python3", "py");
  const ts = measure(kernelName, "ts");
  const n = (v: number | boolean | undefined): number => Number(v);
  const result = {
    kernel: kernelName,
    ipython: py,
    trainlab: ts,
    ratio_start: n(ts.start_s) / n(py.start_s),
    ratio_kernel_info: n(ts.kernel_info_ms) / n(py.kernel_info_ms),
    ratio_trivial_cell: n(ts.trivial_ms) / n(py.trivial_ms),
    ratio_trivial_last30_vs_first30: n(ts.trivial_last30_ms) / n(ts.trivial_first30_ms),
    ratio_one_line_vs_40ms_target: n(ts.one_line_ms) / 40,
    ratio_one_line_vs_tslab_107ms: n(ts.one_line_ms) / 107,
    type_errors_still_reported: ts.type_error_reported === true,
  };
  const f = (x: number): string => x.toFixed(2);
  console.log(`start:            trainlab ${f(n(ts.start_s))} s   IPython ${f(n(py.start_s))} s   ratio ${f(result.ratio_start)}`);
  console.log(`kernel_info:      trainlab ${f(n(ts.kernel_info_ms))} ms  IPython ${f(n(py.kernel_info_ms))} ms  ratio ${f(result.ratio_kernel_info)} (target < 1.5)`);
  console.log(`trivial cell:     trainlab ${f(n(ts.trivial_ms))} ms  IPython ${f(n(py.trivial_ms))} ms  ratio ${f(result.ratio_trivial_cell)} (target < 2)`);
  console.log(`  over 300 cells: first 30 ${f(n(ts.trivial_first30_ms))} ms, last 30 ${f(n(ts.trivial_last30_ms))} ms (ratio ${f(result.ratio_trivial_last30_vs_first30)})`);
  console.log(
    `first kernel_info reply: ${n(ts.first_kernel_info_ms)} ms after the kernel process started (target < 100; ${n(ts.first_kernel_info_after_node_boot_ms)} ms after Node's own bootstrap), type checker then ${ts.checker_at_first_kernel_info}; ` +
      `sockets listening ${n(ts.listening_ms)} ms after start (${n(ts.listening_after_node_boot_ms)} ms after Node's bootstrap; the rest is the client's own delay)`,
  );
  console.log(`import tfjs+arquero+danfojs: ${f(n(ts.import_s))} s (target < 1.5), right after start`);
  console.log(`one-line tf+aq cell: ${f(n(ts.one_line_ms))} ms median (target < 40; tslab 107), type errors reported: ${result.type_errors_still_reported}`);
  const dir = path.join(root, "bench", "results");
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.kernel.json.${process.pid}`);
  fs.writeFileSync(tmp, JSON.stringify(result, null, 2) + "\n");
  fs.renameSync(tmp, path.join(dir, "kernel.json"));
}

main();
