/**
 * Makes an executed notebook small and readable everywhere before the runner keeps it:
 * - plotly.js, which the first chart of a kernel carries in its HTML (2 MB packed), is removed: the saved notebook
 *   needs no copy of it (JupyterLab and VS Code draw `application/vnd.plotly.v1+json` with their own plotly.js);
 * - every figure gets a static `image/png` drawn by plotly.js in Chromium, so the chart is seen wherever the file is
 *   opened: an untrusted classic Notebook, GitHub, nbviewer, VS Code without extensions;
 * - the HTML fallback of a plain figure (a div and a script that can no longer find plotly.js) is dropped, so
 *   frontends that prefer HTML show the image; a composite (tables and charts) is split into its HTML without the
 *   charts and a figure output of its charts.
 * Outputs whose HTML draws charts but carry no Plotly JSON (older composites) get one: their charts are combined
 * into one figure with subplots.
 */
import { Figure, FigureSpec, PLOTLY_MIME } from "../viz/figure";
import { combineFigures } from "../viz/combine";
import { stripPlotlyBundles } from "./html";
import { NotebookJson, NotebookOutput } from "./parameters";

/** A chart block of a figure's HTML fallback: `<div class="trainlab-plot">` and the script that draws it. */
const CHART_BLOCK =
  /<div id="trainlab-plot-[\w-]+" class="trainlab-plot"[^>]*>[\s\S]*?<\/div><script type="text\/javascript">\(function\(\)\{var fig=([\s\S]*?);var el=document\.getElementById[\s\S]*?<\/script>/g;

/** The figures drawn by the chart blocks of an HTML fragment, in order. */
export function chartBlocks(html: string): { block: string; spec: FigureSpec }[] {
  const out: { block: string; spec: FigureSpec }[] = [];
  for (const m of html.matchAll(CHART_BLOCK)) {
    try {
      out.push({ block: m[0], spec: JSON.parse(m[1]) as FigureSpec });
    } catch {
      // not a figure we wrote: leave it
    }
  }
  return out;
}

function joined(value: unknown): string {
  return Array.isArray(value) ? value.join("") : String(value ?? "");
}

/** Draws a figure to a PNG (base64). */
export type PngRenderer = (spec: FigureSpec) => Promise<{ base64: string; width: number; height: number }>;

/** What {@link prepareExecutedNotebook} changed. */
export interface PreparedNotebook {
  /** Figures that got a static image. */
  figures: number;
  /** Copies of plotly.js removed. */
  plotlyCopiesRemoved: number;
  /** Outputs that drew charts in HTML only and got Plotly JSON. */
  plotlyJsonAdded: number;
}

/**
 * Rewrites the figure outputs of an executed notebook in place (see the module comment). A composite output (tables
 * and charts in one HTML) is split in two outputs of the same cell: its HTML without the charts, then its charts as one
 * figure (Plotly JSON and image), so that no image is stored twice and every frontend shows both parts.
 * @throws the renderer's error when a figure cannot be drawn: a chart without its image is not kept silently.
 */
export async function prepareExecutedNotebook(nb: NotebookJson, render: PngRenderer): Promise<PreparedNotebook> {
  const result: PreparedNotebook = { figures: 0, plotlyCopiesRemoved: 0, plotlyJsonAdded: 0 };
  const withImage = async (data: Record<string, unknown>, output: NotebookOutput): Promise<void> => {
    const png = await render(data[PLOTLY_MIME] as FigureSpec);
    data["image/png"] = png.base64;
    output.metadata = { ...(output.metadata ?? {}), "image/png": { width: png.width, height: png.height } };
    result.figures++;
  };
  for (const cell of nb.cells) {
    if (!cell.outputs) continue;
    const kept: NotebookOutput[] = [];
    for (const output of cell.outputs as NotebookOutput[]) {
      kept.push(output);
      if (output.output_type !== "display_data" && output.output_type !== "execute_result") continue;
      const data = output.data;
      if (!data) continue;
      let html = data["text/html"] !== undefined ? joined(data["text/html"]) : undefined;
      if (html !== undefined) {
        const stripped = stripPlotlyBundles(html);
        html = stripped.html;
        result.plotlyCopiesRemoved += stripped.removed;
        data["text/html"] = html;
      }
      const blocks = html !== undefined ? chartBlocks(html) : [];
      const rest = html !== undefined ? html.replace(CHART_BLOCK, "").trim() : "";
      if (blocks.length > 0 && rest !== "") {
        // A composite: its HTML keeps the tables and text; a second output carries the charts.
        const figures = blocks.map(
          (b) => new Figure({ data: b.spec.data ?? [], layout: b.spec.layout ?? {}, config: b.spec.config }),
        );
        const charts =
          figures.length === 1 ? figures[0] : combineFigures(figures, { columns: figures.length > 2 ? 2 : 1 });
        if (data[PLOTLY_MIME] === undefined) result.plotlyJsonAdded++;
        delete data[PLOTLY_MIME];
        data["text/html"] = html!.replace(CHART_BLOCK, "");
        const chartOutput: NotebookOutput = {
          output_type: "display_data",
          data: { "text/plain": charts.toString(), [PLOTLY_MIME]: charts.toJSON() },
          metadata: {},
        };
        await withImage(chartOutput.data!, chartOutput);
        kept.push(chartOutput);
        continue;
      }
      if (data[PLOTLY_MIME] === undefined && blocks.length > 0) {
        const figures = blocks.map(
          (b) => new Figure({ data: b.spec.data ?? [], layout: b.spec.layout ?? {}, config: b.spec.config }),
        );
        data[PLOTLY_MIME] = (figures.length === 1 ? figures[0] : combineFigures(figures)).toJSON();
        result.plotlyJsonAdded++;
      }
      if (data[PLOTLY_MIME] === undefined) continue;
      await withImage(data, output);
      // A plain figure: the PNG (and the Plotly JSON) stand for its HTML, which could no longer find plotly.js.
      if (blocks.length > 0) delete data["text/html"];
    }
    cell.outputs = kept;
  }
  return result;
}
