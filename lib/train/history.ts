/**
 * The record of a training run: per-epoch metrics, how it ended, and a fit diagnosis.
 * Displays as one Plotly chart of training/validation curves plus a table.
 */
import { DISPLAY, MimeBundle, escapeHtml } from "../display";
import { Figure, PlotlyTrace } from "../viz/figure";

/** Metric values of one epoch or batch, e.g. `{ loss: 0.3, acc: 0.9, val_loss: 0.35, val_acc: 0.88 }`. */
export type Logs = Record<string, number>;

/** How a run ended. */
export type StopReason = "completed" | "early-stopping" | "interrupted" | "callback";

/** Plain-data form of a {@link History} (checkpoints store it). */
export interface HistoryData {
  epochs: number[];
  metrics: Record<string, number[]>;
  learningRates: number[];
  stopReason: StopReason;
  bestEpoch: number | null;
  monitor: string;
  seconds: number;
  samplesPerSecond: number;
}

/** A training diagnosis: overfitting, underfitting, still improving, or a good fit. */
export interface FitHint {
  kind: "overfitting" | "underfitting" | "still-improving" | "good-fit" | "unknown";
  message: string;
}

const HINT_LABELS: Record<FitHint["kind"], string> = {
  overfitting: "Overfitting",
  underfitting: "Underfitting",
  "still-improving": "Still improving",
  "good-fit": "Good fit",
  unknown: "Fit not judged",
};

/**
 * Gives a hint plain-data shape `{ kind, message }` plus (non-enumerable) a readable display in a notebook and a
 * one-line `toString`, instead of a raw object dump.
 */
function displayableHint(hint: FitHint): FitHint {
  const [label, rest] = hintParts(hint);
  Object.defineProperty(hint, DISPLAY, {
    value: (): MimeBundle => ({ "text/plain": `${label}: ${rest}`, "text/html": hintHtml(hint) }),
    enumerable: false,
  });
  Object.defineProperty(hint, "toString", { value: () => `${label}: ${rest}`, enumerable: false });
  return hint;
}

/** A hint's label and text: most messages open with their own label ("Overfitting: ..."), the others get the kind's. */
function hintParts(hint: FitHint): [string, string] {
  const own = /^([A-Z][\w ]{0,30}): ([\s\S]*)$/.exec(hint.message);
  return own ? [own[1], own[2]] : [HINT_LABELS[hint.kind], hint.message];
}

/** A hint as one HTML paragraph, its label in bold. */
function hintHtml(hint: FitHint): string {
  const [label, rest] = hintParts(hint);
  return `<p class="trainlab-fit-hint"><b>${escapeHtml(label)}</b>: ${escapeHtml(rest)}</p>`;
}

/** Per-epoch metrics of a run, like Keras's `History`. */
export class History {
  /** Epoch numbers (1-based). */
  epochs: number[] = [];
  /** Metric name to one value per epoch (`loss`, `acc`/`mae`, `val_loss`, ...). */
  metrics: Record<string, number[]> = {};
  /** Learning rate used in each epoch. */
  learningRates: number[] = [];
  stopReason: StopReason = "completed";
  /** The epoch whose weights the model holds after early stopping with restore (else null). */
  bestEpoch: number | null = null;
  /** The metric early stopping and the hint watch. */
  monitor = "val_loss";
  seconds = 0;
  samplesPerSecond = 0;
  /** Whether the batches ran as the native kernel pack's fused step (one native call each) rather than tfjs ops. */
  fusedStep = false;

  /** Appends one epoch's logs. */
  record(epoch: number, logs: Logs, learningRate: number): void {
    this.epochs.push(epoch);
    this.learningRates.push(learningRate);
    for (const [key, value] of Object.entries(logs)) {
      (this.metrics[key] ??= new Array(this.epochs.length - 1).fill(NaN)).push(value);
    }
    for (const values of Object.values(this.metrics)) while (values.length < this.epochs.length) values.push(NaN);
  }

  /** The last value of a metric, or undefined. */
  last(metric: string): number | undefined {
    const values = this.metrics[metric];
    return values && values.length ? values[values.length - 1] : undefined;
  }

  /** The rows as plain objects, one per epoch. */
  toRows(): Array<Record<string, number>> {
    return this.epochs.map((epoch, i) => {
      const row: Record<string, number> = { epoch };
      for (const [key, values] of Object.entries(this.metrics)) row[key] = values[i];
      row.lr = this.learningRates[i];
      return row;
    });
  }

  /**
   * Diagnoses the curves: overfitting when validation loss rose from its minimum while training loss fell,
   * underfitting when training barely learned, still improving when training loss is still falling, else a good fit.
   * After early stopping the monitored metric has stopped improving, so the hint never suggests more epochs: it says
   * where the best epoch was (and that its weights were restored) and what else to change. Throws nothing.
   */
  hint(): FitHint {
    return displayableHint(this.diagnose());
  }

  private diagnose(): FitHint {
    const loss = this.metrics.loss ?? [];
    const val = this.metrics.val_loss;
    const n = loss.length;
    if (n < 2) return { kind: "unknown", message: "Too few epochs to judge the fit." };
    const acc = this.metrics.acc;
    const stop = this.stopReason === "early-stopping" ? this.earlyStop() : undefined;
    /** The epoch index whose weights the model holds. */
    const held = stop?.restored ? stop.bestIndex : n - 1;
    if (val && val.length === n) {
      let best = 0;
      for (let i = 1; i < n; i++) if (val[i] < val[best]) best = i;
      const rise = (val[n - 1] - val[best]) / Math.max(Math.abs(val[best]), 1e-12);
      // A rise counts when it is large relative to the minimum *and* to the scale of the problem (first-epoch loss),
      // so tiny losses wobbling (0.01 -> 0.03) are not called overfitting.
      const meaningful = val[n - 1] - val[best] > 0.05 * Math.max(Math.abs(val[0]), Math.abs(loss[0]), 1e-12);
      if (best < n - 1 && rise > 0.1 && meaningful && loss[n - 1] < loss[best]) {
        const what = `validation loss rose ${(rise * 100).toFixed(0)}% above its minimum (epoch ${this.epochs[best]}) while training loss kept falling`;
        return {
          kind: "overfitting",
          message: stop
            ? `Overfitting, caught by early stopping: ${what}. Training stopped ${stop.restored ? `and the weights of epoch ${stop.bestEpoch} were restored` : `(pass restoreBestWeights: true to keep epoch ${stop.bestEpoch}'s weights)`}; ` +
              `more epochs would not help. For a better model: more dropout or L2, a smaller model, or more data.`
            : `Overfitting: ${what}. Use early stopping, more dropout or L2, a smaller model, or more data.`,
        };
      }
      const gap = (val[held] - loss[held]) / Math.max(Math.abs(loss[held]), 1e-12);
      if (gap > 0.5 && val[held] - loss[held] > 0.05 * Math.max(Math.abs(val[0]), 1e-12)) {
        return {
          kind: "overfitting",
          message:
            `Possible overfitting: ${held === n - 1 ? "" : `at the restored epoch ${this.epochs[held]}, `}validation loss (${val[held].toPrecision(3)}) is ${(gap * 100).toFixed(0)}% above training loss (${loss[held].toPrecision(3)}). ` +
            `Regularise (dropout, L2) or get more data.`,
        };
      }
    }
    const heldAcc = acc?.[held];
    const recent = (loss[Math.max(0, n - 3)] - loss[n - 1]) / Math.max(Math.abs(loss[Math.max(0, n - 3)]), 1e-12);
    const plateau = stop
      ? `${stop.monitor} stopped improving after epoch ${stop.bestEpoch}, so more epochs would not help: `
      : "";
    if (heldAcc !== undefined && heldAcc < 0.7) {
      return {
        kind: "underfitting",
        message:
          `Underfitting: training accuracy is only ${(heldAcc * 100).toFixed(1)}%. ` +
          (stop
            ? `${plateau}raise the learning rate or the model's capacity, or scale the features.`
            : `Train longer, raise the learning rate or the model's capacity, or scale the features.`),
      };
    }
    if (loss[held] > 0.8 * loss[0] && (stop || recent < 0.05)) {
      return {
        kind: "underfitting",
        message:
          `Underfitting: training loss barely moved (${formatMetric(loss[0])} → ${formatMetric(loss[held])}). ` +
          (stop
            ? `${plateau}raise the learning rate or the model's capacity, or scale the features.`
            : `Raise the learning rate or the model's capacity, scale the features, or train longer.`),
      };
    }
    if (stop) {
      const trainStillFalling = stop.monitor !== "loss" && loss[n - 1] < loss[stop.bestIndex];
      return {
        kind: "good-fit",
        message:
          `Stopped early: ${stop.monitor} was best at epoch ${stop.bestEpoch} and did not improve over the next ${stop.epochsAfter} epoch(s)` +
          (trainStillFalling
            ? ` while training loss kept falling (the model was starting to memorise the training rows)`
            : ``) +
          `, so ${stop.restored ? `the weights of epoch ${stop.bestEpoch} were restored` : `training stopped (the model holds the last epoch's weights; restoreBestWeights: true keeps the best)`}. ` +
          `More epochs would not help; to do better, change the model, its regularisation or the data.`,
      };
    }
    if (recent > 0.05) {
      return {
        kind: "still-improving",
        message: `Still improving: training loss fell ${(recent * 100).toFixed(0)}% over the last epochs. More epochs may help.`,
      };
    }
    if (!val) {
      return {
        kind: "good-fit",
        message:
          "Training loss has levelled off. Without validation data overfitting can't be judged: pass validationSplit or validationData.",
      };
    }
    return {
      kind: "good-fit",
      message: "Training and validation curves have levelled off close together: a reasonable fit.",
    };
  }

  /** Where an early-stopped run peaked on its monitored metric, and whether those weights were restored. */
  private earlyStop():
    { monitor: string; bestEpoch: number; bestIndex: number; epochsAfter: number; restored: boolean } | undefined {
    const n = this.epochs.length;
    let bestIndex = this.bestEpoch !== null ? this.epochs.indexOf(this.bestEpoch) : -1;
    const restored = bestIndex >= 0;
    if (!restored) {
      const values = this.metrics[this.monitor];
      if (!values || values.length !== n) return undefined;
      const better =
        monitorMode(this.monitor) === "max" ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
      bestIndex = 0;
      for (let i = 1; i < n; i++) if (better(values[i], values[bestIndex])) bestIndex = i;
    }
    return {
      monitor: this.monitor,
      bestEpoch: this.epochs[bestIndex],
      bestIndex,
      epochsAfter: n - 1 - bestIndex,
      restored,
    };
  }

  /** One Plotly chart: loss curves on the left axis, other metrics on the right. */
  plot(title = "Training history"): Figure {
    const data: PlotlyTrace[] = [];
    for (const [key, values] of Object.entries(this.metrics)) {
      const isLoss = key === "loss" || key === "val_loss";
      data.push({
        type: "scatter",
        mode: "lines+markers",
        name: key,
        x: this.epochs.slice(),
        y: values.map((v) => (Number.isFinite(v) ? v : null)),
        yaxis: isLoss ? "y" : "y2",
        line: { dash: key.startsWith("val_") ? "dash" : "solid" },
      });
    }
    const n = this.epochs.length;
    if (n === 0) {
      // No epoch yet: a note rather than empty axes running from −1 to 6.
      return new Figure({
        data: [],
        layout: {
          title: { text: title },
          height: 380,
          xaxis: { visible: false },
          yaxis: { visible: false },
          annotations: [
            {
              text: "No epoch has finished yet.",
              xref: "paper",
              yref: "paper",
              x: 0.5,
              y: 0.5,
              showarrow: false,
              font: { size: 14, color: "#666" },
            },
          ],
        },
      });
    }
    const hasMetric = data.some((t) => t.yaxis === "y2");
    return new Figure({
      data,
      layout: {
        title: { text: title },
        height: 380,
        margin: { t: 50, r: 60, l: 60, b: 45 },
        // Whole epochs only: one tick per epoch for short runs, automatic round ticks for long ones.
        xaxis: {
          title: { text: "epoch" },
          type: "linear",
          ...(n <= 15 ? { tickmode: "linear", tick0: 1, dtick: 1 } : { tickformat: "d" }),
        },
        yaxis: { title: { text: "loss" }, type: "linear" },
        // tickmode "auto": plotly.js 4 would otherwise sync the right axis to the left one's grid (ticks like 0.8627).
        ...(hasMetric
          ? {
              yaxis2: {
                title: { text: "metric" },
                type: "linear",
                overlaying: "y",
                side: "right",
                tickmode: "auto",
                showgrid: false,
              },
            }
          : {}),
        legend: { orientation: "h", y: -0.2 },
      },
    });
  }

  /** Plain data, for JSON and checkpoints. */
  toJSON(): HistoryData {
    return {
      epochs: this.epochs,
      metrics: this.metrics,
      learningRates: this.learningRates,
      stopReason: this.stopReason,
      bestEpoch: this.bestEpoch,
      monitor: this.monitor,
      seconds: this.seconds,
      samplesPerSecond: this.samplesPerSecond,
    };
  }

  /** Rebuilds a History from {@link toJSON} data. */
  static fromJSON(data: HistoryData): History {
    const h = new History();
    Object.assign(h, JSON.parse(JSON.stringify(data)) as HistoryData);
    return h;
  }

  toString(): string {
    const keys = Object.keys(this.metrics);
    const lines = this.toRows().map(
      (row) => `epoch ${row.epoch}: ` + keys.map((k) => `${k}=${formatMetric(row[k])}`).join(" "),
    );
    return [
      `History: ${this.epochs.length} epoch(s), ${this.stopReason}${this.bestEpoch !== null ? `, best epoch ${this.bestEpoch}` : ""}`,
      ...lines,
      this.hint().message,
    ].join("\n");
  }

  [DISPLAY](): MimeBundle {
    const fig = this.plot();
    const bundle = fig[DISPLAY]();
    const keys = Object.keys(this.metrics);
    const head = `<tr><th>epoch</th>${keys.map((k) => `<th>${escapeHtml(k)}</th>`).join("")}<th>lr</th></tr>`;
    const rows = this.toRows()
      .map(
        (row) =>
          `<tr><td>${row.epoch}</td>${keys.map((k) => `<td>${formatMetric(row[k])}</td>`).join("")}<td>${formatMetric(row.lr)}</td></tr>`,
      )
      .join("");
    const hint = this.hint();
    return {
      ...bundle,
      "text/plain": this.toString(),
      "text/html":
        `${bundle["text/html"] as string}${hintHtml(hint)}` +
        `<table class="trainlab-history"><thead>${head}</thead><tbody>${rows}</tbody></table>`,
    };
  }
}

/** Whether a larger value of a monitored metric is better ("max": accuracy, R², AUC, F1...) or a smaller one ("min": losses, errors). */
export function monitorMode(monitor: string): "min" | "max" {
  return /acc|r2|auc|f1|precision|recall/.test(monitor) ? "max" : "min";
}

/** Formats a metric value compactly. */
export function formatMetric(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return "–";
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toFixed(4);
}
