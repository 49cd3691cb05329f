/**
 * A Plotly figure as plain data, displayable in any Jupyter frontend:
 * - `application/vnd.plotly.v1+json` for JupyterLab (with the plotly labextension), VS Code and nbviewer-like tools;
 * - a `text/html` fallback for the classic Notebook and nbconvert that draws with plotly.js from `plotly.js-dist-min`,
 *   never from a CDN.
 * plotly.js travels gzip-compressed and base64-encoded (about 2 MB instead of 10 MB) and the page unpacks it with
 * `DecompressionStream`. It is inlined once per kernel process (the first figure carries it; later figures wait for
 * `window.Plotly`). Reports put it once in the page's head; the report runner strips it from executed notebooks,
 * which carry a static image instead (lib/report/static-images.ts).
 */
import * as fs from "fs";
import * as zlib from "zlib";
import { DISPLAY, MimeBundle, PLOTLY_MIME, escapeHtml } from "../display";

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

/** The MIME type of Plotly JSON (defined beside the display protocol, which treats figure updates specially). */
export { PLOTLY_MIME };

/** The attribute that marks the `<script>` carrying plotly.js, so tools can find and strip it. */
export const PLOTLY_LOADER_ATTRIBUTE = "data-trainlab-plotly";

let plotlySource: string | undefined;
let plotlyPacked: string | undefined;
let plotlyInlined = false;

/** The minified plotly.js bundle's source (plotly.js-dist-min), read once. */
export function plotlyJs(): string {
  if (plotlySource === undefined)
    plotlySource = fs.readFileSync(require.resolve("plotly.js-dist-min/plotly.min.js"), "utf8");
  return plotlySource;
}

/** The plotly.js version the figures are drawn with (from the bundle's banner). */
export function plotlyVersion(): string {
  return /plotly\.js v([\d.]+)/.exec(plotlyJs().slice(0, 200))?.[1] ?? "unknown";
}

/** plotly.js gzip-compressed and base64-encoded, computed once. */
export function plotlyJsPacked(): string {
  if (plotlyPacked === undefined)
    plotlyPacked = zlib.gzipSync(Buffer.from(plotlyJs(), "utf8"), { level: 6 }).toString("base64");
  return plotlyPacked;
}

/**
 * A `<script>` that defines `window.Plotly` unless the page already has it (or is already loading it): it unpacks the
 * gzip+base64 bundle with the browser's `DecompressionStream` and runs it. `window.trainlabPlotly` is a promise of
 * `window.Plotly` while it loads. Works offline and from file://.
 */
export function plotlyScriptTag(): string {
  return (
    `<script type="text/javascript" ${PLOTLY_LOADER_ATTRIBUTE}="${plotlyVersion()}">/*! plotly.js v${plotlyVersion()} (MIT), gzip+base64, unpacked by trainlab */` +
    `(function(){if(window.Plotly||window.trainlabPlotly)return;var b="${plotlyJsPacked()}";` +
    `window.trainlabPlotly=(function(){var s=atob(b),u=new Uint8Array(s.length);for(var i=0;i<s.length;i++)u[i]=s.charCodeAt(i);` +
    `return new Response(new Blob([u]).stream().pipeThrough(new DecompressionStream("gzip"))).text().then(function(t){` +
    `var e=document.createElement("script");e.text=t;document.head.appendChild(e);return window.Plotly;});})();` +
    `window.trainlabPlotly.catch(function(err){console.error("trainlab: could not unpack plotly.js: "+err);});})();</script>`
  );
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
    return typeof t === "string" ? t : (t?.text ?? "");
  }

  /** The plain Plotly JSON. */
  toJSON(): FigureSpec {
    return { data: this.data, layout: this.layout, config: this.config };
  }

  /**
   * HTML that draws the figure; with `includePlotly` it carries plotly.js itself. `placeholder` is HTML shown until
   * (and unless) plotly.js draws the chart, e.g. a static image; by default a note saying how to get the chart.
   */
  toHTML(options: { includePlotly?: boolean; height?: number; placeholder?: string } = {}): string {
    const id = `trainlab-plot-${process.pid}-${++figureCounter}`;
    const height = options.height ?? (typeof this.layout.height === "number" ? this.layout.height : 420);
    const json = JSON.stringify(this.toJSON()).replace(/</g, "\\u003c");
    const placeholder =
      options.placeholder ??
      `<p class="trainlab-plot-note" style="color:#666;font:13px sans-serif">${escapeHtml(this.toString())} — the interactive chart needs plotly.js: run the cell again (or trust the notebook).</p>`;
    return (
      (options.includePlotly ? plotlyScriptTag() : "") +
      `<div id="${id}" class="trainlab-plot" style="width:100%;min-height:${height}px;">${placeholder}</div>` +
      `<script type="text/javascript">(function(){var fig=${json};var el=document.getElementById("${id}");if(!el)return;` +
      `function draw(){if(!window.Plotly)return;el.innerHTML="";el.style.height="${height}px";window.Plotly.newPlot(el,fig.data,fig.layout,fig.config);}` +
      `if(window.Plotly){draw();}else if(window.trainlabPlotly){window.trainlabPlotly.then(draw);}` +
      `else{var n=0;var t=setInterval(function(){if(window.Plotly||window.trainlabPlotly||++n>200){clearInterval(t);` +
      `if(window.Plotly)draw();else if(window.trainlabPlotly)window.trainlabPlotly.then(draw);}},50);}})();</script>`
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
      [PLOTLY_MIME]: this.toJSON(),
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
