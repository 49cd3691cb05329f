/**
 * Finds, configures and loads the native kernel pack's compiled addon (lib/kernels/native/build/Release).
 * Knows nothing of tfjs: kernels.ts wires the addon into the wasm backend.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The functions the C++ addon exports (see src/kernels.cc for the argument lists). */
export interface NativeAddon {
  matmul(...args: unknown[]): void;
  conv2d(...args: unknown[]): void;
  conv2dBackpropInput(...args: unknown[]): void;
  conv2dBackpropFilter(...args: unknown[]): void;
  maxPoolGrad(heap: ArrayBuffer, x: number, dy: number, dx: number, geom: Int32Array): void;
  maxPool(heap: ArrayBuffer, x: number, y: number, geom: Int32Array): void;
  biasAdd(heap: ArrayBuffer, x: number, bias: number, out: number, rows: number, n: number): void;
  reduceSum(heap: ArrayBuffer, x: number, out: number, outer: number, inner: number, mode: 0 | 1): void;
  reluGrad(heap: ArrayBuffer, dy: number, x: number, out: number, n: number): void;
  step(heap: ArrayBuffer, x: number, out: number, n: number, alpha: number): void;
  /** out = x > 0 ? x : 0, NaN stays NaN (float32). */
  relu(heap: ArrayBuffer, x: number, out: number, n: number): void;
  /** out = lo <= x <= hi ? dy : 0 (ClipByValue's gradient; NaN x gives 0). Older builds lack it. */
  clipGrad?(heap: ArrayBuffer, dy: number, x: number, out: number, n: number, lo: number, hi: number): void;
  /** Softmax's gradient over the last axis of [rows, cols]: dy * y - sum(dy * y) * y. Older builds lack it. */
  softmaxGrad?(heap: ArrayBuffer, dy: number, y: number, out: number, rows: number, cols: number): void;
  gather(
    heap: ArrayBuffer,
    x: number,
    idx: number,
    out: number,
    batch: number,
    outer: number,
    dim: number,
    slice: number,
    nIdx: number,
    elemBytes: number,
  ): number;
  slice(
    heap: ArrayBuffer,
    x: number,
    out: number,
    shape: Int32Array,
    begin: Int32Array,
    size: Int32Array,
    elemBytes: number,
  ): void;
  /** Copies `bytes` from the heap at `offset` into `dst` (over the pack's threads from 1 MB). Older builds lack it. */
  copyOut?(heap: ArrayBuffer, offset: number, dst: ArrayBuffer, bytes: number): void;
  adam(
    heap: ArrayBuffer,
    params: Float64Array,
    grads: Float64Array,
    ms: Float64Array,
    vs: Float64Array,
    sizes: Float64Array,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    accBeta1: number,
    accBeta2: number,
  ): void;
  mlpStep(
    heap: ArrayBuffer,
    x: number,
    y: number,
    rows: Int32Array | null,
    rowStart: number,
    batch: number,
    layers: Float64Array,
    slots: Float64Array,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    accBeta1: number,
    accBeta2: number,
    l2?: number,
    out?: Float64Array,
  ): number;
  sgd(
    heap: ArrayBuffer,
    params: Float64Array,
    grads: Float64Array,
    accums: Float64Array | null,
    sizes: Float64Array,
    lr: number,
    momentum: number,
    nesterov: boolean,
  ): void;
  softmaxCrossEntropy(
    heap: ArrayBuffer,
    logits: number,
    labels: number,
    loss: number,
    grad: number,
    rows: number,
    classes: number,
  ): void;
  /** out = a op b (0 add, 1 sub, 2 mul, 3 div), a and b broadcast to outShape by element strides. Older builds lack it. */
  binary?(
    heap: ArrayBuffer,
    a: number,
    b: number,
    out: number,
    op: number,
    outShape: Int32Array,
    aStrides: Int32Array,
    bStrides: Int32Array,
  ): void;
  /** A whole LSTM sequence (see src/recurrent.cc). Older builds lack the four recurrent entry points. */
  lstmForward?(
    heap: ArrayBuffer,
    x: number,
    w: number,
    wr: number,
    b: number,
    hs: number,
    cs: number,
    zs: number,
    batch: number,
    steps: number,
    features: number,
    units: number,
    recurrentActivation: number,
  ): void;
  lstmBackward?(
    heap: ArrayBuffer,
    x: number,
    w: number,
    wr: number,
    hs: number,
    cs: number,
    zs: number,
    dh: number,
    seq: boolean,
    dx: number,
    dw: number,
    dwr: number,
    db: number,
    batch: number,
    steps: number,
    features: number,
    units: number,
    recurrentActivation: number,
  ): void;
  /** A whole GRU sequence (see src/recurrent.cc). */
  gruForward?(
    heap: ArrayBuffer,
    x: number,
    w: number,
    wr: number,
    b: number,
    hs: number,
    zs: number,
    batch: number,
    steps: number,
    features: number,
    units: number,
    recurrentActivation: number,
  ): void;
  gruBackward?(
    heap: ArrayBuffer,
    x: number,
    w: number,
    wr: number,
    hs: number,
    zs: number,
    dh: number,
    seq: boolean,
    dx: number,
    dw: number,
    dwr: number,
    db: number,
    batch: number,
    steps: number,
    features: number,
    units: number,
    recurrentActivation: number,
  ): void;
  configure(
    maxThreads?: number,
    parallelMacs?: number,
    wideParallelMacs?: number,
    convParallelMacs?: number,
    parallelElements?: number,
  ): void;
  /** Keeps freed memory for reuse (glibc mallopt); returns whether it was applied. Older builds lack it. */
  tuneMalloc?(): boolean;
  info(): {
    blasConfig: string;
    blasCore: string;
    maxThreads: number;
    parallelMacs: number;
    wideParallelMacs?: number;
    convParallelMacs?: number;
    parallelElements?: number;
    /** The instruction set the pack's own loops run with: "AVX-512", "AVX2" or "baseline". */
    isa?: string;
    mallocTuned?: boolean;
  };
}

/** The outcome of trying to load the addon. */
export type AddonLoad =
  { ok: true; addon: NativeAddon; file: string; coretype?: string } | { ok: false; reason: string; fix: string };

/** Folder holding binding.gyp and the sources (the TS compiles to dist*\/lib/kernels/native, 4 levels below the root). */
export const NATIVE_SOURCE_DIR = path.resolve(__dirname, "..", "..", "..", "..", "lib", "kernels", "native");

/** The build command that produces the addon; printed in reports so users can run it. */
export const NATIVE_BUILD_HINT =
  "install a C++ compiler and OpenBLAS (Debian/Ubuntu: sudo apt-get install g++ make libopenblas-dev; conda: the " +
  "cxx-compiler and openblas packages in environment.yml), then run `npm run build`";

/**
 * OpenBLAS 0.3.21 takes AMD Zen 4/5 for Haswell and skips its AVX-512 kernels (1.75x slower GEMMs).
 * On a machine whose CPU has AVX-512 this selects the SkylakeX kernels, unless the user set OPENBLAS_CORETYPE.
 * Must run before the addon (and with it libopenblas) is loaded.
 */
function chooseCoretype(): string | undefined {
  if (process.env.OPENBLAS_CORETYPE) return process.env.OPENBLAS_CORETYPE;
  if (process.platform !== "linux") return undefined;
  try {
    const flags = fs.readFileSync("/proc/cpuinfo", "utf8").match(/^flags\s*:(.*)$/m)?.[1] ?? "";
    const set = new Set(flags.trim().split(/\s+/));
    if (set.has("avx512f") && set.has("avx512bw") && set.has("avx512vl") && set.has("avx512dq")) {
      process.env.OPENBLAS_CORETYPE = "SkylakeX";
      return "SkylakeX";
    }
  } catch {
    /* no /proc: leave OpenBLAS to detect the CPU */
  }
  return undefined;
}

let cached: AddonLoad | undefined;

/** Loads the addon once; never throws (the reason and a fix are in the result). */
export function loadAddon(): AddonLoad {
  if (cached) return cached;
  if (process.env.TRAINLAB_NATIVE === "0" || process.env.TRAINLAB_NATIVE === "off") {
    cached = {
      ok: false,
      reason: "disabled by TRAINLAB_NATIVE=0",
      fix: "unset TRAINLAB_NATIVE to use the native kernel pack",
    };
    return cached;
  }
  // TRAINLAB_NATIVE_ADDON: an alternative build of the addon (e.g. to test a change without replacing the shared one).
  const file =
    process.env.TRAINLAB_NATIVE_ADDON || path.join(NATIVE_SOURCE_DIR, "build", "Release", "trainlab_native.node");
  if (!fs.existsSync(file)) {
    const why = readBuildLog();
    cached = {
      ok: false,
      reason: `the addon is not built (${file} is missing)${why ? `; last build: ${why}` : ""}`,
      fix: NATIVE_BUILD_HINT,
    };
    return cached;
  }
  const coretype = chooseCoretype();
  try {
    const addon = require(file) as NativeAddon;
    const envThreads = Number(process.env.TRAINLAB_NATIVE_THREADS);
    const cpus = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
    // GEMMs below this many multiply-adds run on one thread: measured here, splitting a GEMM over two threads is
    // no faster than one thread up to ~10^8 MACs (MLP layers at batch 128-512, in model.fit), and much slower when
    // cores are shared. (Measured with OpenBLAS's threads, and again with the pack's own pool: 10^7 and 3·10^6 did
    // not train the MLP or the CNN faster.)
    const envMacs = Number(process.env.TRAINLAB_NATIVE_PARALLEL_MACS);
    // ...except, in the fused MLP step (train()'s fast path, fitNativeMLP), GEMMs with an output of at least 128x128 (the 784x256 layers),
    // from 10^7 MACs: they split evenly, and two threads made the step faster here.
    const envWide = Number(process.env.TRAINLAB_NATIVE_WIDE_PARALLEL_MACS);
    // Convolutions split their images over the threads from 2·10^6 MACs: each part runs its own im2col, GEMM and
    // col2im (or direct small-K loop), and the MNIST CNN trained ~35% faster here than with unsplit convolutions.
    const envConv = Number(process.env.TRAINLAB_NATIVE_CONV_PARALLEL_MACS);
    addon.configure(
      Number.isFinite(envThreads) && envThreads > 0 ? envThreads : Math.max(1, Math.min(cpus, 8)),
      Number.isFinite(envMacs) && envMacs > 0 ? envMacs : 1.2e8,
      Number.isFinite(envWide) && envWide > 0 ? envWide : 1e7,
      Number.isFinite(envConv) && envConv > 0 ? envConv : 2e6,
    );
    // Fresh pages are expensive on many VMs (this one included): every large typed array, such as a tensor's
    // dataSync, page-faults anew unless freed memory is kept for reuse. TRAINLAB_MALLOC_TUNE=0 leaves malloc alone.
    if (process.env.TRAINLAB_MALLOC_TUNE !== "0") addon.tuneMalloc?.();
    cached = { ok: true, addon, file, coretype };
  } catch (err) {
    cached = {
      ok: false,
      reason: `the addon failed to load: ${(err as Error).message.split("\n")[0]}`,
      fix: `rebuild it with \`npm run build\` (needs libopenblas at run time: ${NATIVE_BUILD_HINT})`,
    };
  }
  return cached;
}

/** The first line of the reason the last build failed, as written by .ci/build.sh (build/status.txt). */
function readBuildLog(): string | undefined {
  try {
    const text = fs.readFileSync(path.join(NATIVE_SOURCE_DIR, "build", "status.txt"), "utf8").trim();
    return text || undefined;
  } catch {
    return undefined;
  }
}
