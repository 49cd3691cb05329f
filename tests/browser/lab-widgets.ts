/**
 * The tutorials' Jupyter widgets on a JupyterLab notebook page (jupyterlab.test.ts): finding a widget cell by its
 * cell id, reading what it shows (how each output was rendered, the slider control, the outputs the slider drives,
 * the charts as plotly drew them, error output), waiting for what it shows to change, and moving its slider with the
 * keyboard as a user would.
 */
import { Page } from "playwright-core";

/** The MIME type of a widget view output (@jupyter-widgets/jupyterlab-manager renders it). */
export const WIDGET_VIEW = "application/vnd.jupyter.widget-view+json";

/** A plotly chart inside a widget's output, as plotly drew it. */
export interface DrawnChart {
  /** The layout's title. */
  title: string;
  /** plotly's own trace data (`gd.data`: type, name, x, y, z, text) as JSON. */
  data: string;
  /** The numbers it plots (every trace's x, y and z) as JSON: what changes when the data does, not only a label. */
  values: string;
  /** An SVG `.main-svg` is in it. */
  drawn: boolean;
  /** Its width on the page, in CSS pixels. */
  width: number;
}

/** What a widget cell shows. */
export interface WidgetCellView {
  /** The cell's index in the notebook (0-based), -1 when no cell has the id. */
  index: number;
  /**
   * How each of the cell's own outputs was rendered: WIDGET_VIEW when a widget view (`.jupyter-widgets`) was drawn
   * in it, else the renderer's MIME type (e.g. "text/plain", the fallback without a widget manager) or its text.
   */
  renderedAs: string[];
  /**
   * Slider controls drawn by @jupyter-widgets/controls in a widget view: `.widget-slider` elements holding a
   * noUiSlider handle, inside a `.jupyter-widgets` view (a SelectionSlider's own element lacks that class).
   */
  sliders: number;
  /** The first slider's readout text. */
  readout: string;
  /** Outputs drawn inside the cell's Output widgets (`.widget-output .jp-OutputArea-output`). */
  outputs: number;
  /** Their text, the charts' SVG text included. */
  text: string;
  /** The plotly charts among them. */
  charts: DrawnChart[];
  /**
   * Errors anywhere in the cell: error or stderr outputs (of the cell or of its Output widgets), widgets drawn as
   * error widgets, "Error displaying widget".
   */
  errors: string[];
}

/** What to wait for (besides a settled view: a slider, at least one output, every chart drawn). */
export interface WidgetCondition {
  /** The slider's readout differs from this. */
  readoutOtherThan?: string;
  /** The outputs' text differs from this. */
  textOtherThan?: string;
  /** The outputs' text includes this. */
  textIncludes?: string;
  /** The charts' data (JSON of every chart's `data`) differs from this. */
  chartsOtherThan?: string;
}

/** Installs `window.trainlabWidgetCell(id)` on the page, which reads a WidgetCellView of the cell with that id. */
export async function installWidgetReader(page: Page): Promise<void> {
  await page.evaluate((widgetMime: string) => {
    interface OutputModel {
      type: string;
      toJSON(): Record<string, unknown>;
    }
    interface CellWidget {
      node: HTMLElement;
      model: { id: string; type: string };
      outputArea?: { node: HTMLElement; model: { length: number; get(i: number): OutputModel } };
    }
    interface PlotlyNode extends HTMLElement {
      data?: Array<Record<string, unknown>>;
      layout?: { title?: string | { text?: string } };
    }
    const w = window as unknown as {
      trainlabLab: { panel: { content: { widgets: readonly CellWidget[] } } };
      trainlabWidgetCell: (id: string) => WidgetCellView;
    };
    const plain = (_key: string, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v);
    w.trainlabWidgetCell = (id: string): WidgetCellView => {
      const cells = w.trainlabLab.panel.content.widgets;
      const index = cells.findIndex((c) => c.model.id === id);
      const empty = { index, renderedAs: [], sliders: 0, readout: "", outputs: 0, text: "", charts: [], errors: [] };
      const cell = cells[index];
      if (!cell?.outputArea) return empty;
      cell.node.setAttribute("data-trainlab-cell", id);
      const area = cell.outputArea;
      const renderedAs = Array.from(
        area.node.querySelectorAll(":scope > .jp-OutputArea-child > .jp-OutputArea-output"),
      ).map((n) =>
        n.querySelector(":scope > .jupyter-widgets")
          ? widgetMime
          : ((n as HTMLElement).dataset.mimeType ?? (n.textContent ?? "").slice(0, 120)),
      );
      const errors: string[] = [];
      for (let i = 0; i < area.model.length; i++) {
        const json = area.model.get(i).toJSON();
        if (json.output_type === "error") errors.push(`error output: ${String(json.ename)}: ${String(json.evalue)}`);
        if (json.output_type === "stream" && json.name === "stderr") errors.push(`stderr: ${String(json.text)}`);
      }
      for (const n of Array.from(
        area.node.querySelectorAll('.widget-output [data-mime-type="application/vnd.jupyter.stderr"]'),
      ))
        errors.push(`in an Output widget: ${(n.textContent ?? "").slice(0, 500)}`);
      for (const n of Array.from(area.node.querySelectorAll(".jupyter-widgets-error-widget")))
        errors.push(`error widget: ${(n.textContent ?? "").slice(0, 500)}`);
      for (const n of Array.from(area.node.querySelectorAll(".jp-OutputArea-output")))
        if ((n.textContent ?? "").startsWith("Error displaying widget")) errors.push(n.textContent ?? "");
      const inner = Array.from(area.node.querySelectorAll(".widget-output .jp-OutputArea-output"));
      const charts = (Array.from(area.node.querySelectorAll(".widget-output .js-plotly-plot")) as PlotlyNode[]).map(
        (gd) => {
          const title = gd.layout?.title;
          let data: string;
          let values: string;
          try {
            data = JSON.stringify(
              (gd.data ?? []).map((t) => ({ type: t.type, name: t.name, x: t.x, y: t.y, z: t.z, text: t.text })),
              plain,
            );
          } catch (err) {
            data = `unreadable: ${String(err)}`;
          }
          try {
            values = JSON.stringify(
              (gd.data ?? []).map((t) => [t.x, t.y, t.z]),
              plain,
            );
          } catch (err) {
            values = `unreadable: ${String(err)}`;
          }
          return {
            title: (typeof title === "string" ? title : title?.text) ?? "",
            data,
            values,
            drawn: !!gd.querySelector(".main-svg"),
            width: gd.getBoundingClientRect().width,
          };
        },
      );
      return {
        index,
        renderedAs,
        sliders: Array.from(area.node.querySelectorAll(".jupyter-widgets .widget-slider")).filter((n) =>
          n.querySelector(".noUi-target .noUi-handle"),
        ).length,
        readout: area.node.querySelector(".widget-slider .widget-readout")?.textContent ?? "",
        outputs: inner.length,
        text: inner.map((n) => n.textContent ?? "").join("\n"),
        charts,
        errors,
      };
    };
  }, WIDGET_VIEW);
}

/** What the cell with id `cellId` shows now (installWidgetReader first). */
export function readWidgetCell(page: Page, cellId: string): Promise<WidgetCellView> {
  return page.evaluate(
    (id: string) => (window as unknown as { trainlabWidgetCell(id: string): WidgetCellView }).trainlabWidgetCell(id),
    cellId,
  );
}

/** The charts' data (labels included) of a view as one string, to compare two views. */
export function chartsData(view: WidgetCellView): string {
  return JSON.stringify(view.charts.map((c) => c.data));
}

/** The numbers the charts of a view plot (x, y, z of every trace) as one string, to compare two views. */
export function chartsValues(view: WidgetCellView): string {
  return JSON.stringify(view.charts.map((c) => c.values));
}

/**
 * Waits (polling the DOM) until the cell's view is settled (a slider, an output, every chart drawn) and meets
 * `until`, or shows an error; returns the view.
 * @throws Error saying what the cell shows when neither happens within `timeout` ms.
 */
export async function waitForWidgetCell(
  page: Page,
  cellId: string,
  until: WidgetCondition,
  timeout: number,
): Promise<WidgetCellView> {
  await page
    .waitForFunction(
      (args: { id: string; until: WidgetCondition }) => {
        const v = (window as unknown as { trainlabWidgetCell(id: string): WidgetCellView }).trainlabWidgetCell(args.id);
        if (v.index < 0 || v.errors.length > 0) return true;
        const u = args.until;
        const data = JSON.stringify(v.charts.map((c) => c.data));
        return (
          v.sliders > 0 &&
          v.outputs > 0 &&
          v.charts.every((c) => c.drawn) &&
          (u.readoutOtherThan === undefined || v.readout !== u.readoutOtherThan) &&
          (u.textOtherThan === undefined || v.text !== u.textOtherThan) &&
          (u.textIncludes === undefined || v.text.includes(u.textIncludes)) &&
          (u.chartsOtherThan === undefined || data !== u.chartsOtherThan)
        );
      },
      { id: cellId, until },
      { timeout, polling: 250 },
    )
    .catch(async (err: unknown) => {
      const v = await readWidgetCell(page, cellId);
      const seen = {
        ...v,
        text: v.text.slice(0, 600),
        charts: v.charts.map(({ data, values, ...c }) => ({ ...c, data: data.length, values: values.length })),
      };
      throw new Error(
        `cell ${cellId}: waited for ${JSON.stringify(until)}, it shows ${JSON.stringify(seen)} (${String(err)})`,
        {
          cause: err,
        },
      );
    });
  return readWidgetCell(page, cellId);
}

/** Focuses the slider handle of the cell with id `cellId` (scrolled into view) and presses `keys` in turn. */
export async function pressOnSlider(page: Page, cellId: string, keys: readonly string[]): Promise<void> {
  const handle = page.locator(`[data-trainlab-cell="${cellId}"] .widget-slider .noUi-handle`).first();
  await handle.scrollIntoViewIfNeeded();
  await handle.focus();
  for (const key of keys) await page.keyboard.press(key);
}
