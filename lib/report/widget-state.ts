/**
 * Saved widget state in the HTML report: an executed notebook keeps every widget model's last state in its metadata
 * (`application/vnd.jupyter.widget-state+json`, version 2); the report embeds that state and
 * `@jupyter-widgets/html-manager` (inlined gzip+base64, like plotly.js, so it works offline over file://), which
 * draws each control where its cell showed it, at the state it was saved in. A widget made by `precompute()` works
 * there as in a kernel (its outputs are stored); any other control gets a note that it needs a live kernel, and is
 * shown disabled so moving it does not pretend to change anything.
 */
import * as fs from "fs";
import * as zlib from "zlib";
import { escapeHtml } from "../display";
import { PLOTLY_MIME } from "../viz/figure";
import { MODEL_REFERENCE_PREFIX, PRECOMPUTED_CLASS, WIDGET_VIEW_MIME } from "../widgets";
import { NotebookJson } from "./parameters";

/** The notebook-metadata MIME type (under `metadata.widgets`) of the saved widget state. */
export const WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json";

/** One model in the saved state. */
export interface SavedModel {
  model_name: string;
  model_module: string;
  model_module_version: string;
  state: Record<string, unknown>;
}

/** The saved widget state of a notebook (widget state schema version 2). */
export interface SavedWidgetState {
  version_major: number;
  version_minor: number;
  state: Record<string, SavedModel>;
}

/** The models a person can operate: in a report they act only when precomputed. */
export const INPUT_MODELS: ReadonlySet<string> = new Set([
  "IntSliderModel",
  "FloatSliderModel",
  "FloatLogSliderModel",
  "SelectionSliderModel",
  "DropdownModel",
  "CheckboxModel",
  "ToggleButtonsModel",
  "ButtonModel",
  "TextModel",
  "PlayModel",
]);

/** The note shown beside a control whose effect needs a running kernel. */
export const NEEDS_KERNEL_NOTE =
  "This control needs a live kernel: the report shows it as it was saved, and its output is the one computed at that " +
  "setting. Run the notebook in Jupyter to move it.";

/**
 * The saved widget state in a notebook's metadata, or undefined when it has none.
 * @throws Error when the metadata holds a state of another major version than 2.
 */
export function readWidgetState(nb: NotebookJson): SavedWidgetState | undefined {
  const widgets = nb.metadata?.widgets as Record<string, unknown> | undefined;
  const saved = widgets?.[WIDGET_STATE_MIME] as SavedWidgetState | undefined;
  if (!saved || typeof saved !== "object" || !saved.state || Object.keys(saved.state).length === 0) return undefined;
  if (saved.version_major !== 2)
    throw new Error(
      `the notebook's widget state is version ${saved.version_major}.${saved.version_minor}; the report reads version 2`,
    );
  return saved;
}

/** The model ids a state value refers to (`IPY_MODEL_<id>` strings anywhere inside it). */
function references(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") {
    if (value.startsWith(MODEL_REFERENCE_PREFIX)) out.push(value.slice(MODEL_REFERENCE_PREFIX.length));
  } else if (Array.isArray(value)) {
    for (const v of value) references(v, out);
  } else if (value && typeof value === "object") {
    for (const v of Object.values(value)) references(v, out);
  }
  return out;
}

function isPrecomputed(model: SavedModel | undefined): boolean {
  const classes = model?.state._dom_classes;
  return Array.isArray(classes) && classes.includes(PRECOMPUTED_CLASS);
}

/**
 * The input controls in the view of `modelId` (it and the models it refers to) whose effect needs a kernel: every
 * input control except those inside a `precompute()` widget. Empty when the view works offline.
 */
export function controlsNeedingKernel(saved: SavedWidgetState, modelId: string): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string): void => {
    if (seen.has(id)) return;
    seen.add(id);
    const model = saved.state[id];
    if (!model || isPrecomputed(model)) return;
    if (INPUT_MODELS.has(model.model_name)) found.push(id);
    for (const ref of references(model.state)) visit(ref);
  };
  visit(modelId);
  return found;
}

/**
 * A copy of the saved state ready for the page: the HTML outputs inside Output widgets passed through `cleanHtml`
 * (the report removes plotly.js copies there, as the page loads it once), and the controls in `disable` shown
 * disabled.
 */
export function reportWidgetState(
  saved: SavedWidgetState,
  cleanHtml: (html: string) => string,
  disable: Iterable<string> = [],
): SavedWidgetState {
  const copy = JSON.parse(JSON.stringify(saved)) as SavedWidgetState;
  for (const model of Object.values(copy.state)) {
    if (model.model_name !== "OutputModel" || !Array.isArray(model.state.outputs)) continue;
    for (const output of model.state.outputs as Array<{ data?: Record<string, unknown> }>) {
      const data = output.data;
      if (!data || !("text/html" in data)) continue;
      const raw = data["text/html"];
      const html = cleanHtml(Array.isArray(raw) ? raw.join("") : String(raw));
      data["text/html"] = html;
      // trainlab's own HTML draws its charts: the Plotly JSON beside it would double the bytes and be ignored.
      if (html.includes(`class="trainlab-plot"`)) delete data[PLOTLY_MIME];
    }
  }
  for (const id of disable) {
    const model = copy.state[id];
    if (model && "disabled" in model.state) model.state.disabled = true;
  }
  return copy;
}

function scriptJson(value: unknown): string {
  // Inside <script>, "</" would end the element: escape "<".
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

/** The `<script>` holding the widget state, which html-manager reads. */
export function widgetStateScript(saved: SavedWidgetState): string {
  return `<script type="${WIDGET_STATE_MIME}">${scriptJson(saved)}</script>`;
}

/**
 * Where a widget view goes: the view tag html-manager replaces with the control, a text fallback (hidden once the
 * control is drawn) and, when `needsKernel`, the note that it needs a live kernel.
 */
export function widgetViewHtml(modelId: string, fallback: string, needsKernel: boolean): string {
  const view = { version_major: 2, version_minor: 0, model_id: modelId };
  return (
    `<div class="output widget${needsKernel ? " needs-kernel" : " offline"}" data-model-id="${escapeHtml(modelId)}">` +
    `<script type="${WIDGET_VIEW_MIME}">${scriptJson(view)}</script>` +
    `<pre class="widget-fallback">${escapeHtml(fallback)}</pre>` +
    (needsKernel ? `<p class="widget-needs-kernel">${escapeHtml(NEEDS_KERNEL_NOTE)}</p>` : "") +
    `</div>`
  );
}

/** The attribute marking the `<script>` that carries html-manager. */
export const HTML_MANAGER_ATTRIBUTE = "data-trainlab-html-manager";

let managerPacked: string | undefined;

/** The html-manager version the report embeds. */
export function htmlManagerVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(require.resolve("@jupyter-widgets/html-manager/package.json"), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

/** The bundle's references to its FontAwesome font files (`n.p+"<hash>.woff2"`), which a file:// page cannot load. */
const FONT_ASSET = /(\bexports=)\w+\.p\+"[0-9a-f]{20}\.(?:woff2|woff|ttf|eot|svg)"/g;

/**
 * html-manager's standalone bundle (`dist/embed.js`), gzip-compressed and base64-encoded, computed once. Its
 * FontAwesome font files are left out (they would triple the size, and a page over file:// cannot load them from
 * beside a blob script): a control with an icon shows no icon glyph; none of trainlab's controls uses one.
 */
export function htmlManagerPacked(): string {
  if (managerPacked === undefined) {
    const file = require.resolve("@jupyter-widgets/html-manager/dist/embed.js");
    const source = fs.readFileSync(file, "utf8").replace(FONT_ASSET, '$1"data:,"');
    managerPacked = zlib.gzipSync(Buffer.from(source, "utf8"), { level: 9 }).toString("base64");
  }
  return managerPacked;
}

/**
 * The `<script>` that unpacks html-manager (browser `DecompressionStream`) and runs it from a blob URL: its webpack
 * runtime needs a script URL. html-manager draws the widgets on the window's `load` event; when it arrives after
 * that event, the listener it registers is called at once.
 */
export function htmlManagerScriptTag(): string {
  const v = htmlManagerVersion();
  return (
    `<script type="text/javascript" ${HTML_MANAGER_ATTRIBUTE}="${v}">/*! @jupyter-widgets/html-manager ${v} (BSD-3-Clause), ` +
    `gzip+base64, unpacked by trainlab */(function(){var b="${htmlManagerPacked()}";` +
    `var s=atob(b),u=new Uint8Array(s.length);for(var i=0;i<s.length;i++)u[i]=s.charCodeAt(i);` +
    `new Response(new Blob([u]).stream().pipeThrough(new DecompressionStream("gzip"))).text().then(function(t){` +
    `var url=URL.createObjectURL(new Blob([t],{type:"text/javascript"}));var add=window.addEventListener,held=[];` +
    `window.addEventListener=function(type,fn,o){if(type==="load"&&document.readyState==="complete"){held.push(fn);return;}` +
    `return add.call(window,type,fn,o);};var e=document.createElement("script");e.src=url;` +
    `e.onload=e.onerror=function(){window.addEventListener=add;held.forEach(function(fn){fn(new Event("load"));});};` +
    `document.head.appendChild(e);}).catch(function(err){console.error("trainlab: could not unpack html-manager: "+err);});})();</script>`
  );
}

/**
 * A `<script>` that resizes the Plotly charts drawn inside widgets: an Output widget's HTML runs before its view is
 * laid out (and again each time a Stack shows another output), so plotly.js measured a zero width.
 */
export const WIDGET_PLOT_RESIZE_SCRIPT =
  `<script>(function(){var queued=false;function fit(){queued=false;if(!window.Plotly)return;` +
  `document.querySelectorAll(".output.widget .js-plotly-plot").forEach(function(el){` +
  `if(el.offsetWidth>0&&el._fullLayout&&Math.abs(el._fullLayout.width-el.offsetWidth)>2)window.Plotly.Plots.resize(el);});}` +
  `new MutationObserver(function(){if(!queued){queued=true;requestAnimationFrame(fit);}})` +
  `.observe(document.body,{childList:true,subtree:true});})();</script>`;

/** CSS of the widget outputs in the report. */
export const WIDGET_CSS =
  `.output.widget{margin:6px 0}.widget-subarea ~ .widget-fallback{display:none}` +
  `.widget-needs-kernel{margin:4px 0;padding:4px 10px;border-left:3px solid var(--partial,#9a6700);background:#fff8c5;font-size:13px}`;
