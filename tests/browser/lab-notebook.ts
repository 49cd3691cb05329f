/**
 * Reading a JupyterLab notebook page in the browser tests (jupyterlab*.test.ts): each output as the notebook model
 * holds it and as the page shows it (charts drawn by jupyterlab-plotly, tables with rows, errors), waiting until
 * every chart is drawn, and sampling live charts while cells run.
 */
import { Page } from "playwright-core";

/** The MIME type of a plotly figure (jupyterlab-plotly draws it). */
export const PLOTLY = "application/vnd.plotly.v1+json";

/** One output of a code cell, as the notebook model holds it and as the page shows it. */
export interface OutputView {
  cell: number;
  output: number;
  type: string;
  mimes: string[];
  /** A trainlab chart: the plotly mimetype, or trainlab's HTML chart (`class="trainlab-plot"`). */
  chart: boolean;
  /** The chart's title, from the plotly JSON or the HTML's embedded figure. */
  title: string;
  /** A trainlab table (`class="trainlab-table"` in its HTML). */
  table: boolean;
  /** An SVG `.main-svg` drawn inside jupyterlab-plotly's renderer (`.jp-RenderedPlotly`). */
  plotlySvg: boolean;
  /** Rows of rendered table bodies in the output (`table.dataframe` of data frames, `table.trainlab-table` of results). */
  tableRows: number;
  ename?: string;
  evalue?: string;
}

/** The notebook after a run: its kernel, code cells, cells left unexecuted, and every output. */
export interface NotebookState {
  kernelName: string;
  codeCells: number;
  /** Code cells without an execution count after the run. */
  unexecuted: number[];
  outputs: OutputView[];
}

/** A chart's states seen while cells ran: the points the model held and the points plotly had drawn. */
export interface LiveSamples {
  [key: string]: { model: number[]; drawn: number[]; title: string };
}

/** Reads the notebook model and the rendered outputs; tags each output node with data-trainlab-output="cC-oO". */
export function readState(page: Page): Promise<NotebookState> {
  return page.evaluate((plotlyMime: string) => {
    interface OutputModel {
      type: string;
      data: Record<string, unknown>;
      toJSON(): Record<string, unknown>;
    }
    interface CellWidget {
      model: { type: string; executionCount?: number | null };
      outputArea: { model: { length: number; get(i: number): OutputModel }; widgets: readonly { node: HTMLElement }[] };
    }
    const lab = (
      window as unknown as {
        trainlabLab: {
          panel: { content: { widgets: readonly CellWidget[] }; sessionContext: { kernelDisplayName: string } };
        };
      }
    ).trainlabLab;
    const text = (v: unknown): string => (Array.isArray(v) ? v.join("") : typeof v === "string" ? v : "");
    const outputs: OutputView[] = [];
    const unexecuted: number[] = [];
    let codeCells = 0;
    lab.panel.content.widgets.forEach((cell, ci) => {
      if (cell.model.type !== "code") return;
      codeCells++;
      if (cell.model.executionCount === null || cell.model.executionCount === undefined) unexecuted.push(ci + 1);
      const area = cell.outputArea;
      for (let oi = 0; oi < area.model.length; oi++) {
        const out = area.model.get(oi);
        const json = out.toJSON();
        const data = out.data ?? {};
        const html = text(data["text/html"]);
        const plotly = data[plotlyMime] as { layout?: { title?: { text?: string } | string } } | undefined;
        const plotlyTitle = plotly?.layout?.title;
        const htmlTitle = /"title":\s*\{\s*"text":\s*"((?:[^"\\]|\\.)*)"/.exec(html)?.[1] ?? "";
        const node = area.widgets[oi]?.node;
        node?.setAttribute("data-trainlab-output", `c${ci + 1}-o${oi}`);
        outputs.push({
          cell: ci + 1,
          output: oi,
          type: out.type,
          mimes: Object.keys(data).sort(),
          chart: plotlyMime in data || html.includes("trainlab-plot"),
          title: (typeof plotlyTitle === "string" ? plotlyTitle : plotlyTitle?.text) ?? htmlTitle,
          table: html.includes("trainlab-table"),
          plotlySvg: !!node?.querySelector(".jp-RenderedPlotly .main-svg"),
          // Rows of its HTML table; when JupyterLab draws the output's Plotly figure instead (a composite: table and
          // charts as one figure), the cells of the figure's table trace.
          tableRows: node
            ? node.querySelectorAll("table tbody tr").length ||
              node.querySelectorAll(".jp-RenderedPlotly .column-cell").length
            : 0,
          ename: typeof json.ename === "string" ? json.ename : undefined,
          evalue: typeof json.evalue === "string" ? json.evalue : undefined,
        });
      }
    });
    return { kernelName: lab.panel.sessionContext.kernelDisplayName, codeCells, unexecuted, outputs };
  }, PLOTLY);
}

/** Starts sampling every plotly output ~20 times a second: the model's points and the points plotly drew. */
export async function startLiveSampler(page: Page): Promise<void> {
  await page.evaluate((plotlyMime: string) => {
    interface Trace {
      x?: ArrayLike<unknown>;
    }
    interface OutputModel {
      data: Record<string, unknown>;
    }
    interface CellWidget {
      model: { type: string };
      outputArea: { model: { length: number; get(i: number): OutputModel }; widgets: readonly { node: HTMLElement }[] };
    }
    const w = window as unknown as {
      trainlabLab: { panel: { content: { widgets: readonly CellWidget[] } } };
      trainlabLive: Record<string, { model: number[]; drawn: number[]; title: string }>;
      trainlabLiveTimer: number;
    };
    const points = (traces: readonly Trace[] | undefined) =>
      (traces ?? []).reduce((s, t) => s + (t.x ? t.x.length : 0), 0);
    const push = (list: number[], v: number) => {
      if (list[list.length - 1] !== v) list.push(v);
    };
    w.trainlabLive = {};
    w.trainlabLiveTimer = window.setInterval(() => {
      w.trainlabLab.panel.content.widgets.forEach((cell, ci) => {
        if (cell.model.type !== "code") return;
        const area = cell.outputArea;
        for (let oi = 0; oi < area.model.length; oi++) {
          const fig = area.model.get(oi).data[plotlyMime] as
            { data?: Trace[]; layout?: { title?: { text?: string } } } | undefined;
          if (!fig) continue;
          const key = `c${ci + 1}-o${oi}`;
          const entry = (w.trainlabLive[key] ??= { model: [], drawn: [], title: fig.layout?.title?.text ?? "" });
          push(entry.model, points(fig.data));
          const gd = area.widgets[oi]?.node.querySelector(".jp-RenderedPlotly") as
            (HTMLElement & { data?: Trace[] }) | null;
          if (gd?.data) push(entry.drawn, points(gd.data));
        }
      });
    }, 50);
  }, PLOTLY);
}

/** Stops the sampler startLiveSampler started and returns what it saw, per chart output. */
export async function stopLiveSampler(page: Page): Promise<LiveSamples> {
  return page.evaluate(() => {
    const w = window as unknown as { trainlabLive: LiveSamples; trainlabLiveTimer: number };
    window.clearInterval(w.trainlabLiveTimer);
    return w.trainlabLive;
  });
}

/** One output, named for an assertion message (cell, output, title). */
export function describeOutput(o: OutputView): string {
  return `cell ${o.cell}${o.title ? ` "${o.title}"` : ""} (mimetypes: ${o.mimes.join(", ")})`;
}

/** Waits (up to a minute) until every plotly output has drawn its SVG, then reads the notebook. */
export async function settledState(page: Page): Promise<NotebookState> {
  let state = await readState(page);
  for (let i = 0; i < 120 && state.outputs.some((o) => o.mimes.includes(PLOTLY) && !o.plotlySvg); i++) {
    await page.waitForTimeout(500);
    state = await readState(page);
  }
  return state;
}
