/**
 * The PyTorch / numpy anchors of bench/training (and of bench/models-nn, which times the same MLP and CNN): the
 * script they run (PY_SCRIPT: the MLP, CNN and sequence workloads in PyTorch, and a long-lived numpy matmul worker),
 * `python()` for one PyTorch run and `numpyWorker()` for the matmul worker. Both run through
 * bench/tools/python-anchor.
 */
import * as readline from "readline";
import { runPythonAnchor, spawnPythonAnchor } from "../tools/python-anchor";

/** The Python script of the bench's anchors: argv[1] names the workload (numpy, mlp, cnn, lstm, gru, transformer). */
export const PY_SCRIPT = String.raw`
import sys, time, json
what = sys.argv[1]
if what == 'numpy':
    # A long-lived worker: each line read from stdin is a number of products to time; it answers with their seconds.
    import numpy as np
    n = 1024; rng = np.random.default_rng(0)
    a = rng.random((n, n), dtype=np.float32); b = rng.random((n, n), dtype=np.float32)
    for _ in range(3): a @ b
    print('ready', flush=True)
    for line in sys.stdin:
        ts = []
        for _ in range(int(line)):
            t = time.perf_counter(); a @ b; ts.append(time.perf_counter() - t)
        print(json.dumps(ts), flush=True)
    sys.exit(0)
import torch, torch.nn as nn
torch.set_num_threads(2); torch.manual_seed(0)
N, B = int(sys.argv[2]), int(sys.argv[3])
if what == 'mlp':
    X = torch.randn(N, 784); y = torch.randint(0, 10, (N,))
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
elif what in ('lstm', 'gru'):
    X = torch.randn(N, 50, 8); y = torch.randint(0, 2, (N,))
    class Recurrent(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = (nn.LSTM if what == 'lstm' else nn.GRU)(8, 64, batch_first=True); self.out = nn.Linear(64, 2)
        def forward(self, x):
            return self.out(self.rnn(x)[0][:, -1])
    model = Recurrent()
elif what == 'transformer':
    X = torch.randn(N, 50, 8); y = torch.randint(0, 2, (N,))
    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.inp = nn.Linear(8, 32); self.pos = nn.Parameter(torch.zeros(1, 50, 32))
            self.enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(32, 4, 64, dropout=0.0, batch_first=True), 1)
            self.out = nn.Linear(32, 2)
        def forward(self, x):
            return self.out(self.enc(self.inp(x) + self.pos).mean(1))
    model = Encoder()
else:
    X = torch.randn(N, 1, 28, 28); y = torch.randint(0, 10, (N,))
    model = nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(800, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3); lossf = nn.CrossEntropyLoss()
def step(xb, yb):
    opt.zero_grad(); loss = lossf(model(xb), yb); loss.backward(); opt.step(); return loss
for i in range(5): step(X[i*B:(i+1)*B], y[i*B:(i+1)*B])
t0 = time.perf_counter(); perm = torch.randperm(N)
for i in range(0, N, B):
    idx = perm[i:i+B]; loss = step(X[idx], y[idx])
loss.item(); dt = time.perf_counter() - t0
print(json.dumps({'samples_s': N / dt}))
`;

/**
 * Runs one PY_SCRIPT workload in PyTorch (`args`: workload, samples, batch size), in the tuned env or the default
 * one; returns its samples/s. Throws PythonAnchorError with Python's stderr when the run fails, and an Error when it
 * prints no samples/s.
 */
export function python(args: string[], tuned: boolean): number {
  const label = `torch ${args.join(" ")} (${tuned ? "tuned" : "default"} env)`;
  const out = runPythonAnchor<{ samples_s?: unknown }>(PY_SCRIPT, args, { label, tuned, timeoutMs: 600000 });
  if (typeof out.samples_s !== "number") throw new Error(`${label} printed no samples_s: ${JSON.stringify(out)}`);
  return out.samples_s;
}
/** A long-lived numpy process (the PY_SCRIPT "numpy" worker): `time(k)` runs k 1024² products, returns their ms. */
export async function numpyWorker(): Promise<{ time: (k: number) => Promise<number[]>; close: () => void }> {
  const { child, removeScript } = spawnPythonAnchor(PY_SCRIPT, ["numpy"]);
  const lines: string[] = [];
  let waiting: ((line: string) => void) | undefined;
  const failed = new Promise<never>((_, reject) =>
    child.on("exit", (code) => reject(new Error(`the numpy worker exited (${code})`))),
  );
  readline.createInterface({ input: child.stdout }).on("line", (line) => {
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w(line);
    } else lines.push(line);
  });
  const next = () =>
    Promise.race([
      failed,
      lines.length ? Promise.resolve(lines.shift() as string) : new Promise<string>((r) => (waiting = r)),
    ]);
  try {
    if ((await next()) !== "ready") throw new Error("the numpy worker did not start");
  } finally {
    removeScript();
  }
  return {
    time: async (k) => {
      child.stdin.write(`${k}\n`);
      return (JSON.parse(await next()) as number[]).map((sec) => sec * 1000);
    },
    close: () => {
      failed.catch(() => undefined);
      child.stdin.end();
    },
  };
}
