/**
 * A Plotly figure as plain data, displayable in any Jupyter frontend:
 * - `application/vnd.plotly.v1+json` for JupyterLab (with the plotly labextension) and VS Code;
 * - a self-contained `text/html` fallback for nbconvert HTML and the classic Notebook that draws
 *   with plotly.js inlined from `plotly.js-dist`, never from a CDN.
 * plotly.js is inlined once per kernel process (the first figure carries it; the script guard makes
 * later figures reuse `window.Plotly`), and reports re-home it once at the top of each page.
 */
import * as fs from "fs";
import { DISPLAY, MimeBundle, escapeHtml } from "../display";

/** One Plotly trace: plain JSON, as plotly.js takes it. */
export type PlotlyTrace = { type?: string; name?: string; [key: string]: unknown };
/** A Plotly layout: plain JSON. */
export type PlotlyLayout = { title?: string | { text: string }; [key: string]: unknown };

/** The Plotly JSON of a figure. */
export interface FigureSpec {
  data: PlotlyTrace[];
  layout: PlotlyLayout;
  config?: Record<string, unknown>;
}

let plotlySource: string | undefined;
let plotlyInlined = false;

/** The plotly.js bundle's source, read once from plotly.js-dist. */
export function plotlyJs(): string {
  if (plotlySource === undefined) plotlySource = fs.readFileSync(require.resolve("plotly.js-dist/plotly.js"), "utf8");
  return plotlySource;
}

/** A `<script>` that defines `window.Plotly` unless the page already has it. */
export function plotlyScriptTag(): string {
  // A `</script>` inside the bundle would end the tag early; escape it.
  return `<script type="text/javascript">if (!window.Plotly) {\n${plotlyJs().replace(/<\/script/gi, "<\\/script")}\n}</script>`;
}

/** Marks plotly.js as not yet inlined in this process (e.g. for a fresh page). */
export function resetPlotlyInlining(): void {
  plotlyInlined = false;
}

let figureCounter = 0;

/** A displayable Plotly figure. Builders in lib/viz return these; its data stays inspectable. */
export class Figure implements FigureSpec {
  data: PlotlyTrace[];
  layout: PlotlyLayout;
  config: Record<string, unknown>;

  constructor(spec: FigureSpec) {
    this.data = spec.data;
    this.layout = { template: undefined, ...spec.layout };
    delete this.layout.template;
    this.config = { responsive: true, displaylogo: false, ...spec.config };
  }

  /** The figure's title text, if any. */
  get title(): string {
    const t = this.layout.title;
    return typeof t === "string" ? t : t?.text ?? "";
  }

  /** The plain Plotly JSON. */
  toJSON(): FigureSpec {
    return { data: this.data, layout: this.layout, config: this.config };
  }

  /** HTML that draws the figure; with `includePlotly` it carries plotly.js itself. */
  toHTML(options: { includePlotly?: boolean; height?: number } = {}): string {
    const id = `trainlab-plot-${process.pid}-${++figureCounter}`;
    const height = options.height ?? (typeof this.layout.height === "number" ? this.layout.height : 420);
    const json = JSON.stringify(this.toJSON()).replace(/</g, "\\u003c");
    return (
      (options.includePlotly ? plotlyScriptTag() : "") +
      `<div id="${id}" class="trainlab-plot" style="width:100%;height:${height}px;"></div>` +
      `<script type="text/javascript">(function(){var fig=${json};var el=document.getElementById("${id}");` +
      `function draw(){window.Plotly.newPlot(el,fig.data,fig.layout,fig.config);}` +
      `if(window.Plotly){draw();}else{var n=0;var t=setInterval(function(){if(window.Plotly||++n>100){clearInterval(t);if(window.Plotly)draw();else el.textContent="plotly.js is not loaded on this page: re-run the first chart cell.";}},50);}})();</script>`
    );
  }

  toString(): string {
    const traces = this.data.map((t) => `${t.type ?? "scatter"}${t.name ? ` "${t.name}"` : ""}`).join(", ");
    return `Figure${this.title ? ` "${this.title}"` : ""}: ${this.data.length} trace(s) [${traces}]`;
  }

  [DISPLAY](): MimeBundle {
    const includePlotly = !plotlyInlined;
    plotlyInlined = true;
    return {
      "text/plain": this.toString(),
      "application/vnd.plotly.v1+json": this.toJSON(),
      "text/html": this.toHTML({ includePlotly }),
    };
  }
}

/** Builds a figure from Plotly JSON. */
export function figure(spec: FigureSpec): Figure {
  return new Figure(spec);
}

/** Escapes a title for Plotly (which renders a little HTML in titles). */
export function plotlyText(text: string): string {
  return escapeHtml(text);
}
