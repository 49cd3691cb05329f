/**
 * Live charts send few updates: `update_display_data` is throttled in time (a browser replays every update it gets),
 * the first epoch is drawn at once and the output always ends on the final state. Time comes from an injected clock,
 * so nothing here depends on how fast the machine is.
 */
import { strict as assert } from "assert";
import {
  BRIDGE,
  DISPLAY,
  KernelBridge,
  MimeBundle,
  PublishOptions,
  display,
  throttledDisplay,
} from "../../lib/display";
import { DEFAULT_LIVE_TIMING, LiveView } from "../../lib/train/live";
import { History } from "../../lib/train/history";
import { PLOTLY_MIME, resetPlotlyInlining } from "../../lib/viz/figure";
import { launchOfflineBrowser } from "../support/offline-browser";

interface Published {
  bundle: MimeBundle;
  options: PublishOptions;
}

/** A kernel bridge that records what library code publishes. */
function recordingBridge(): { published: Published[]; uninstall(): void } {
  const published: Published[] = [];
  const bridge: KernelBridge = {
    publish: (bundle, options = {}) => void published.push({ bundle, options }),
    clearOutput: () => undefined,
    signal: () => new AbortController().signal,
  };
  const g = globalThis as Record<symbol, unknown>;
  const previous = g[BRIDGE];
  g[BRIDGE] = bridge;
  return { published, uninstall: () => void (g[BRIDGE] = previous) };
}

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe("live chart updates (throttled update_display_data)", () => {
  let kernel: ReturnType<typeof recordingBridge>;
  beforeEach(() => {
    kernel = recordingBridge();
  });
  afterEach(() => kernel.uninstall());

  it("throttledDisplay: sends at most one update per interval, renders only what it sends, flush sends the last state", () => {
    const clock = manualClock();
    const handle = display("start");
    const t = throttledDisplay(handle, { intervalMs: 1000, clock: clock.now });
    const rendered: number[] = [];
    const offer = (i: number): boolean => t.offer(() => (rendered.push(i), `state ${i}`));
    assert.equal(offer(1), true, "the first state goes out at once");
    clock.advance(400);
    assert.equal(offer(2), false);
    clock.advance(400);
    assert.equal(offer(3), false);
    clock.advance(199);
    assert.equal(offer(4), false, "999 ms after the last update: still pending");
    clock.advance(1);
    assert.equal(offer(5), true, "1000 ms after: sent");
    clock.advance(10);
    assert.equal(offer(6), false);
    assert.equal(t.flush(), true, "flush sends the pending state");
    assert.equal(t.flush(), false, "nothing pending any more");
    assert.deepEqual(rendered, [1, 5, 6], "skipped states are never rendered");
    const updates = kernel.published.filter((p) => p.options.update);
    assert.deepEqual(
      updates.map((p) => p.bundle["text/plain"]),
      ["state 1", "state 5", "state 6"],
    );
    assert.ok(updates.every((p) => p.options.displayId === handle.displayId));
    assert.equal(t.sent, 3);
    assert.throws(() => throttledDisplay(handle, { intervalMs: -1 }), /intervalMs must be a finite number/);
  });

  it("LiveView: a 150-epoch run of 130 ms epochs sends one chart per redraw interval at most, the first epoch at once and the final state last", () => {
    resetPlotlyInlining();
    const clock = manualClock();
    const live = new LiveView("chart", "run", () => undefined, { clock: clock.now });
    const history = new History();
    live.begin(history, "Training 300 samples, 150 epochs");
    const chartId = kernel.published[0].options.displayId;
    const progressId = kernel.published[1].options.displayId;
    assert.match(
      String(kernel.published[0].bundle["text/plain"]),
      /the chart appears after the first epoch/,
      "no empty axes before the first epoch",
    );
    assert.equal(kernel.published[0].bundle[PLOTLY_MIME], undefined);
    const epochs = 150;
    const epochMs = 130;
    for (let e = 1; e <= epochs; e++) {
      for (let b = 1; b <= 3; b++) {
        clock.advance(40);
        live.batch({
          epoch: e,
          epochs,
          batch: b,
          batches: 3,
          samplesPerSecond: 2000,
          etaSeconds: ((epochs - e + 1) * epochMs) / 1000,
          logs: { loss: 1 / e },
        });
      }
      clock.advance(10);
      history.epochs.push(e);
      history.metrics.loss = [...(history.metrics.loss ?? []), 1 / e];
      live.epoch(history, {
        epoch: e,
        epochs,
        batch: 3,
        batches: 3,
        samplesPerSecond: 2000,
        etaSeconds: ((epochs - e) * epochMs) / 1000,
        logs: { loss: 1 / e },
      });
    }
    live.end(history, "finished: 150 epoch(s)");
    const training = epochs * epochMs; // ms of (fake) training
    const chartMessages = kernel.published.filter((p) => p.options.update && p.options.displayId === chartId);
    // Each redraw is two updates: the chart's text alone, then the figure. JupyterLab keeps a renderer while the
    // preferred mimetype stays, and jupyterlab-plotly ignores new data once drawn; the text-only step makes it redraw.
    const chartUpdates = chartMessages.filter((p) => PLOTLY_MIME in p.bundle);
    assert.equal(chartMessages.length, 2 * chartUpdates.length);
    chartMessages.forEach((p, i) =>
      assert.deepEqual(
        Object.keys(p.bundle).includes(PLOTLY_MIME),
        i % 2 === 1,
        `update ${i}: text first, then the figure`,
      ),
    );
    const progressUpdates = kernel.published.filter((p) => p.options.update && p.options.displayId === progressId);
    // One redraw per interval of training (rounded up), the first epoch, and the final state.
    const interval = DEFAULT_LIVE_TIMING.chartIntervalMs;
    assert.ok(interval >= 4000, "a redraw costs ~150 ms in Chromium: at most one every 4 s keeps it under 4%");
    assert.ok(
      chartUpdates.length <= Math.ceil(training / interval) + 2,
      `${chartUpdates.length} chart updates for ${training} ms`,
    );
    assert.ok(chartUpdates.length >= 3, `${chartUpdates.length} chart updates: the chart is live`);
    assert.equal(live.chartUpdates, chartUpdates.length);
    const xs = (p: Published): unknown[] => (p.bundle[PLOTLY_MIME] as { data: { x: unknown[] }[] }).data[0].x;
    assert.deepEqual(xs(chartUpdates[0]), [1], "the first epoch is drawn at once");
    assert.equal(xs(chartUpdates[chartUpdates.length - 1]).length, 150, "the output ends on the final state");
    assert.ok(progressUpdates.length <= Math.ceil(training / 500) + 2, `${progressUpdates.length} progress updates`);
    assert.match(String(progressUpdates[progressUpdates.length - 1].bundle["text/plain"]), /^finished: 150 epoch/);
    // plotly.js travels with the first drawn chart and again with the final one (the output a saved notebook keeps);
    // never with the updates in between.
    const carries = chartUpdates.map((p) => String(p.bundle["text/html"]).includes("data-trainlab-plotly"));
    assert.equal(carries[0], true);
    assert.equal(carries[carries.length - 1], true);
    assert.ok(carries.slice(1, -1).every((c) => !c));
  });

  it("LiveView: a run shorter than one redraw interval (150 epochs in 2 s) draws its chart once, at the end", () => {
    const clock = manualClock();
    const live = new LiveView("chart", "short", () => undefined, { clock: clock.now });
    const history = new History();
    live.begin(history, "Training");
    for (let e = 1; e <= 150; e++) {
      clock.advance(13);
      history.epochs.push(e);
      history.metrics.loss = [...(history.metrics.loss ?? []), 1 / e];
      live.epoch(history, {
        epoch: e,
        epochs: 150,
        batch: 1,
        batches: 1,
        samplesPerSecond: 20000,
        etaSeconds: ((150 - e) * 13) / 1000,
        logs: { loss: 1 / e },
      });
    }
    live.end(history, "finished");
    assert.equal(live.chartUpdates, 1, "only the final state");
  });

  it("in Chromium, replaying what a 150-epoch run sends (as the classic Notebook does), the chart is drawn a few times and ends on all 150 epochs", async function () {
    this.timeout(120000);
    resetPlotlyInlining();
    const clock = manualClock();
    const live = new LiveView("chart", "replayed", () => undefined, { clock: clock.now });
    const history = new History();
    live.begin(history, "Training");
    const epochs = 150;
    const epochMs = 100; // 15 s of training
    for (let e = 1; e <= epochs; e++) {
      clock.advance(epochMs);
      history.epochs.push(e);
      history.metrics.loss = [...(history.metrics.loss ?? []), 1 / e];
      history.metrics.val_loss = [...(history.metrics.val_loss ?? []), 1.1 / e];
      live.epoch(history, {
        epoch: e,
        epochs,
        batch: 1,
        batches: 1,
        samplesPerSecond: 2000,
        etaSeconds: ((epochs - e) * epochMs) / 1000,
        logs: { loss: 1 / e },
      });
    }
    live.end(history, "finished");
    const chartId = kernel.published[0].options.displayId;
    // What a frontend shows for each message: its HTML, or its text when that is all it carries.
    const stream = kernel.published
      .filter((p) => p.options.displayId === chartId)
      .map((p) => String(p.bundle["text/html"] ?? `<pre>${String(p.bundle["text/plain"])}</pre>`));
    const browser = await launchOfflineBrowser();
    try {
      const page = await browser.context.newPage();
      await page.setContent("<!doctype html><html><head></head><body><div class=output></div></body></html>");
      const drawn = await page.evaluate(async (htmls) => {
        const out = document.querySelector(".output") as HTMLElement;
        let draws = 0;
        const started = performance.now();
        for (const html of htmls) {
          // What a frontend does with display_data / update_display_data: replace the output and run its scripts.
          out.innerHTML = html;
          for (const old of Array.from(out.querySelectorAll("script"))) {
            const s = document.createElement("script");
            for (const a of Array.from(old.attributes)) s.setAttribute(a.name, a.value);
            s.text = old.text;
            old.replaceWith(s);
          }
          const w = window as unknown as {
            Plotly?: { newPlot: (...a: unknown[]) => Promise<unknown> };
            trainlabPlotly?: Promise<unknown>;
            counted?: boolean;
          };
          if (w.trainlabPlotly) await w.trainlabPlotly;
          if (w.Plotly && !w.counted) {
            const newPlot = w.Plotly.newPlot.bind(w.Plotly);
            w.Plotly.newPlot = (...a: unknown[]) => (draws++, newPlot(...a));
            w.counted = true;
            // the first drawn update ran before the counter was installed
            if (out.querySelector(".plot-container")) draws++;
          }
          await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        }
        const plot = out.querySelector(".trainlab-plot") as HTMLElement & { data?: { x: unknown[] }[] };
        return { draws, points: plot?.data?.[0]?.x.length ?? 0, ms: performance.now() - started };
      }, stream);
      assert.equal(drawn.draws, live.chartUpdates, "one Plotly draw per update the kernel sent");
      assert.ok(
        drawn.draws <= Math.ceil((epochs * epochMs) / DEFAULT_LIVE_TIMING.chartIntervalMs) + 2,
        `${drawn.draws} draws`,
      );
      assert.equal(drawn.points, epochs, "the chart ends on every epoch");
      console.log(
        `      (${drawn.draws} draws for ${(epochs * epochMs) / 1000} s of training took ${drawn.ms.toFixed(0)} ms in Chromium, plotly.js unpacking included)`,
      );
    } finally {
      await browser.close();
    }
  });

  it("LiveView progress line uses symbols every text font has (no emoji)", () => {
    const live = new LiveView("chart", "run", () => undefined, { clock: manualClock().now });
    live.begin(new History(), "Training");
    live.end(new History(), "stopped");
    for (const p of kernel.published) {
      const html = String(p.bundle["text/html"] ?? "");
      assert.ok(!/\p{Emoji_Presentation}/u.test(html), `no emoji (such as the hourglass) in ${html}`);
    }
    const last = kernel.published[kernel.published.length - 2];
    assert.match(String(last.bundle["text/plain"]), /no epoch finished/);
  });

  it("DISPLAY of a bundle-returning object keeps its bundle (used by the live view)", () => {
    const shown = display({ [DISPLAY]: () => ({ "text/plain": "x" }) });
    assert.equal(kernel.published[0].options.displayId, shown.displayId);
  });
});
