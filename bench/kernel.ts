/**
 * Kernel latency: trainlab against the IPython kernel (python3-ipykernel), measured in the same run
 * with the same Jupyter client (jupyter_client from /usr/bin/python3).
 *
 *   npm run bench -- kernel        (writes bench/results/kernel.json)
 *
 * Figures (medians): start to first kernel_info answer; kernel_info round trip; a trivial cell (for
 * trainlab after importing tfjs, arquero and danfojs) over the first and last 30 of 300 cells; for trainlab, a one-line
 * cell using tf and aq after importing tfjs, arquero and danfojs (each cell different, so nothing is served from a
 * cache of identical cells). For trainlab also: the first kernel_info reply in ms after the process started (kernel
 * clock, 10 fresh kernels, beside a bare Node's bootstrap), the first `import ... from "trainlab"` right after start (3 fresh kernels, the worst counts) and once the checker warmed up, the cost
 * per loop iteration of the interrupt checks, the trivial cell interleaved with an IPython kernel's (one cell each in
 * turn, so both see the same load), and the load average (the machine is shared: read ratios, not times).
 */
import * as fs from "fs";
import * as path from "path";
import { jupyterPython } from "../kernel/install";
import { runPythonAnchor } from "./tools/python-anchor";

const root = path.resolve(__dirname, "..", "..");
const python = jupyterPython();
const kernelName = process.env.TRAINLAB_BENCH_KERNEL ?? "trainlab";

const DRIVER = String.raw`
import json, os, re, statistics, subprocess, sys, threading, time
import zmq
from jupyter_client.manager import KernelManager

name, mode = sys.argv[1], sys.argv[2]
# trainlab traces each kernel_info reply on stderr with the time since its process started (kernel-side clock).
os.environ["TRAINLAB_KERNEL_TRACE"] = "1"
TRACE = re.compile(rb"trace: kernel_info_reply (\d+) ms after start \((\d+) after Node's bootstrap\), type checker (\w+)")
LISTEN = re.compile(rb"trace: listening (\d+) ms after start \((\d+) after")

def launch():
    """Starts a kernel and asks kernel_info at once (a client retrying its connection every 5 ms, not ZeroMQ's
    default 100 ms), so the first reply measures the kernel, not the client. Returns (km, kc, start_s, traces, listening)."""
    km = KernelManager(kernel_name=name)
    t0 = time.perf_counter()
    km.start_kernel(stderr=subprocess.PIPE)
    kc = km.client()
    kc.context.setsockopt(zmq.RECONNECT_IVL, 5)  # the client's own context: its sockets are made in start_channels
    kc.start_channels()
    traces, listening = [], []
    def drain():
        for line in iter(km.provisioner.process.stderr.readline, b""):
            m, l = TRACE.search(line), LISTEN.search(line)
            if m: traces.append((int(m.group(1)), int(m.group(2)), m.group(3).decode()))
            elif l: listening.append((int(l.group(1)), int(l.group(2))))
            elif b"trace:" not in line: sys.stderr.write(line.decode(errors="replace"))
    threading.Thread(target=drain, daemon=True).start()
    first = kc.kernel_info()
    while True:
        m = kc.get_shell_msg(timeout=120)
        if m["parent_header"].get("msg_id") == first: break
    start_s = time.perf_counter() - t0
    kc.wait_for_ready(timeout=120)
    return km, kc, start_s, traces, listening

def stop(km, kc):
    kc.stop_channels()
    km.shutdown_kernel(now=True)

def wait_for(items):
    deadline = time.time() + 10
    while not items and time.time() < deadline: time.sleep(0.01)
    return items[0] if items else None

def reply_to(msg_id, timeout, client=None):
    # jupyter_client re-sends kernel_info while the kernel starts, so stale replies can wait on shell: skip them.
    client = client or kc
    while True:
        m = client.get_shell_msg(timeout=timeout)
        if m["parent_header"].get("msg_id") == msg_id:
            return m

def run(code, client=None):
    client = client or kc
    t = time.perf_counter()
    msg_id = client.execute(code)
    reply = reply_to(msg_id, 120, client)
    while True:
        m = client.get_iopub_msg(timeout=120)
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            break
    if reply["content"]["status"] != "ok":
        raise SystemExit("cell failed: %r %r" % (code, reply["content"]))
    return (time.perf_counter() - t) * 1000

def run_value(code):
    """Runs a cell whose last value is a JSON string and returns it parsed."""
    msg_id = kc.execute(code)
    value = None
    while True:
        m = kc.get_iopub_msg(timeout=300)
        if m["parent_header"].get("msg_id") != msg_id: continue
        if m["msg_type"] == "execute_result": value = json.loads(m["content"]["data"]["text/plain"].strip("'\""))
        if m["msg_type"] == "error": raise SystemExit("cell failed: %r" % m["content"])
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle": return value

def kernel_info():
    t = time.perf_counter()
    reply_to(kc.kernel_info(), 30)
    return (time.perf_counter() - t) * 1000

out = {}
if mode == "ts":
    # kernel_info from process start, over fresh kernels: the goal is "every time", so the worst one counts.
    firsts, boots, listens = [], [], []
    for _ in range(10):
        km, kc, start_s, traces, listening = launch()
        t, l = wait_for(traces), wait_for(listening)
        if t: firsts.append(t[0]); boots.append(t[0] - t[1])
        if l: listens.append(l[0])
        stop(km, kc)
    out["first_kernel_info_ms_each"] = firsts
    out["first_kernel_info_ms_max"] = max(firsts) if firsts else None
    out["node_bootstrap_ms_each"] = boots
    out["listening_ms_each"] = listens
    # The anchor: Node's own start-up to the end of its bootstrap, for a bare Node (the kernelspec's) in the same environment (the
    # environment matters: NODE_EXTRA_CA_CERTS makes every Node process parse that CA bundle before it runs any code).
    node = KernelManager(kernel_name=name).kernel_spec.argv[0]
    bare = [float(subprocess.run([node, "-e", "console.log(performance.nodeTiming.bootstrapComplete)"], capture_output=True, text=True).stdout) for _ in range(10)]
    out["bare_node_bootstrap_ms_each"] = [round(b) for b in bare]
    out["node_extra_ca_certs_set"] = bool(os.environ.get("NODE_EXTRA_CA_CERTS"))
    # The kernel's own part: from the end of Node's bootstrap to its first reply.
    out["kernel_own_ms_each"] = [f - b for f, b in zip(firsts, boots)]
    # The first import of trainlab alone, in a fresh kernel, right after it started (the type checker still
    # loading TypeScript and trainlab's declarations) and once the checker has warmed up.
    imports = []
    for _ in range(3):
        km, kc, start_s, traces, listening = launch()
        t = time.perf_counter(); run('import { tf, loadCSV } from "trainlab";'); imports.append(time.perf_counter() - t)
        stop(km, kc)
    out["import_trainlab_at_start_s_each"] = imports
    out["import_trainlab_at_start_s"] = max(imports)
    km, kc, start_s, traces, listening = launch()
    run("1")
    # Then wait until the checker has finished warming up (as when a user reads a notebook before running it).
    deadline = time.time() + 120
    while time.time() < deadline and not (traces and traces[-1][2] == "ready"):
        kernel_info(); time.sleep(0.05)
    out["checker_ready_before_import"] = bool(traces and traces[-1][2] == "ready")
    t = time.perf_counter(); run('import { tf, loadCSV } from "trainlab";'); out["import_trainlab_after_warm_up_s"] = time.perf_counter() - t
    # The interrupt checks' cost per loop iteration: the same tight loop in the cell (a check per iteration) and
    # compiled by Function (no checks), best of 5 each.
    cost = run_value(
        "const n = 20_000_000; const plain = new Function('n', 'let s = 0; for (let i = 0; i < n; i++) { s += i % 7; } return s;') as (n: number) => number;\n"
        "const checked = (n: number): number => { let s = 0; for (let i = 0; i < n; i++) { s += i % 7; } return s; };\n"
        "const best = (f: (n: number) => number): number => { let b = Infinity; for (let k = 0; k < 5; k++) { const t = performance.now(); f(n); b = Math.min(b, performance.now() - t); } return b; };\n"
        "const tPlain = best(plain), tChecked = best(checked);\n"
        "JSON.stringify({ plain_ns: tPlain * 1e6 / n, checked_ns: tChecked * 1e6 / n })")
    out["loop_iteration_plain_ns"], out["loop_iteration_checked_ns"] = cost["plain_ns"], cost["checked_ns"]
    stop(km, kc)
km, kc, start_s, traces, listening = launch()
out["start_s"] = start_s
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
    # The same trivial cell alternately on this kernel and on an IPython kernel running beside it: on a shared
    # machine whose load changes from minute to minute, only an interleaved ratio compares like with like.
    py_km = KernelManager(kernel_name="python3")
    py_km.start_kernel(stderr=subprocess.DEVNULL)
    py_kc = py_km.client()
    py_kc.start_channels()
    py_kc.wait_for_ready(timeout=120)
    for _ in range(10): run("1"); run("1", py_kc)
    pairs = [(run("1"), run("1", py_kc)) for _ in range(300)]
    out["trivial_interleaved_ms"] = statistics.median([a for a, _ in pairs])
    out["ipython_trivial_interleaved_ms"] = statistics.median([b for _, b in pairs])
    out["trivial_interleaved_pair_ratio_median"] = statistics.median([a / b for a, b in pairs])
    stop(py_km, py_kc)
    run("const warm = tf.tensor([1, 2]).sum().dataSync()[0] + aq.table({ a: [1] }).numRows();")
    one = [run("const v%d = tf.tensor([1, 2, %d]).sum().dataSync()[0] + aq.table({ a: [1, 2, %d] }).numRows() + frame.shape[0];" % (i, i, i)) for i in range(40)]
    out["one_line_ms"] = statistics.median(one)
    err_t = time.perf_counter()
    msg_id = kc.execute("const wrong: number = tf.tensor([1]);")
    reply = reply_to(msg_id, 60)
    out["type_error_reported"] = reply["content"].get("ename") == "TSError"
out["load_average"] = os.getloadavg()
kc.stop_channels()
km.shutdown_kernel(now=True)
print(json.dumps(out))
`;

/** Runs DRIVER against `kernel`: its figures. Throws PythonAnchorError with the driver's stderr when it fails. */
function measure(kernel: string, mode: "ts" | "py"): Record<string, unknown> {
  return runPythonAnchor(DRIVER, [kernel, mode], {
    label: `measuring ${kernel}`,
    python,
    cwd: path.join(root, "notebooks"),
    timeoutMs: 900_000,
  });
}

function main(): void {
  const py = measure("python3", "py");
  const ts = measure(kernelName, "ts");
  const n = (v: unknown): number => Number(v);
  const result = {
    kernel: kernelName,
    ipython: py,
    trainlab: ts,
    ratio_start: n(ts.start_s) / n(py.start_s),
    ratio_kernel_info: n(ts.kernel_info_ms) / n(py.kernel_info_ms),
    ratio_trivial_cell: n(ts.trivial_ms) / n(py.trivial_ms),
    ratio_trivial_cell_interleaved: n(ts.trivial_interleaved_ms) / n(ts.ipython_trivial_interleaved_ms),
    ratio_trivial_last30_vs_first30: n(ts.trivial_last30_ms) / n(ts.trivial_first30_ms),
    ratio_first_kernel_info_vs_100ms_target: n(ts.first_kernel_info_ms_max) / 100,
    ratio_import_trainlab_at_start_vs_1500ms_target: n(ts.import_trainlab_at_start_s) / 1.5,
    ratio_import_trainlab_after_warm_up_vs_1500ms_target: n(ts.import_trainlab_after_warm_up_s) / 1.5,
    ratio_loop_iteration_checked_vs_plain: n(ts.loop_iteration_checked_ns) / n(ts.loop_iteration_plain_ns),
    ratio_one_line_vs_40ms_target: n(ts.one_line_ms) / 40,
    ratio_one_line_vs_tslab_107ms: n(ts.one_line_ms) / 107,
    type_errors_still_reported: ts.type_error_reported === true,
    load_average_during_ipython: py.load_average,
    load_average_during_trainlab: ts.load_average,
  };
  const f = (x: unknown): string => n(x).toFixed(2);
  const list = (x: unknown): string => (Array.isArray(x) ? x.join(", ") : String(x));
  console.log(
    `start:            trainlab ${f(ts.start_s)} s   IPython ${f(py.start_s)} s   ratio ${f(result.ratio_start)}`,
  );
  console.log(
    `kernel_info:      trainlab ${f(ts.kernel_info_ms)} ms  IPython ${f(py.kernel_info_ms)} ms  ratio ${f(result.ratio_kernel_info)} (target < 1.5)`,
  );
  console.log(
    `trivial cell:     trainlab ${f(ts.trivial_ms)} ms  IPython ${f(py.trivial_ms)} ms  ratio ${f(result.ratio_trivial_cell)} (target <= 1.0)`,
  );
  console.log(
    `trivial cell, interleaved with IPython's (300 pairs): trainlab ${f(ts.trivial_interleaved_ms)} ms  IPython ${f(ts.ipython_trivial_interleaved_ms)} ms  ` +
      `ratio ${f(result.ratio_trivial_cell_interleaved)} (median of pair ratios ${f(ts.trivial_interleaved_pair_ratio_median)}; target <= 1.0)`,
  );
  console.log(
    `  over 300 cells: first 30 ${f(ts.trivial_first30_ms)} ms, last 30 ${f(ts.trivial_last30_ms)} ms (ratio ${f(result.ratio_trivial_last30_vs_first30)})`,
  );
  console.log(
    `first kernel_info reply, ms after the kernel process started, 10 fresh kernels: ${list(ts.first_kernel_info_ms_each)} (target < 100 every time); ` +
      `of which Node's own bootstrap: ${list(ts.node_bootstrap_ms_each)}; sockets listening at ${list(ts.listening_ms_each)}`,
  );
  console.log(
    `  the kernel's own part (after Node's bootstrap): ${list(ts.kernel_own_ms_each)} ms; a bare node's bootstrap here: ` +
      `${list(ts.bare_node_bootstrap_ms_each)} ms` +
      (ts.node_extra_ca_certs_set
        ? " (NODE_EXTRA_CA_CERTS is set: each Node process parses that CA bundle at start)"
        : ""),
  );
  console.log(
    `import { tf, loadCSV } from "trainlab": ${(ts.import_trainlab_at_start_s_each as number[]).map(f).join(", ")} s right after start in 3 fresh kernels, ` +
      `${f(ts.import_trainlab_after_warm_up_s)} s once the checker warmed up (target < 1.5)`,
  );
  console.log(`import tfjs+arquero+danfojs (and a DataFrame): ${f(ts.import_s)} s, right after start`);
  console.log(
    `tight loop per iteration: ${f(ts.loop_iteration_checked_ns)} ns with the interrupt check, ${f(ts.loop_iteration_plain_ns)} ns without (ratio ${f(result.ratio_loop_iteration_checked_vs_plain)})`,
  );
  console.log(
    `one-line tf+aq cell: ${f(ts.one_line_ms)} ms median (target < 40; tslab 107), type errors reported: ${result.type_errors_still_reported}`,
  );
  console.log(
    `load average (1, 5, 15 min) at the end of each measurement: IPython ${list(py.load_average)}, trainlab ${list(ts.load_average)}`,
  );
  const dir = path.join(root, "bench", "results");
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.kernel.json.${process.pid}`);
  fs.writeFileSync(tmp, JSON.stringify(result, null, 2) + "\n");
  fs.renameSync(tmp, path.join(dir, "kernel.json"));
}

main();
