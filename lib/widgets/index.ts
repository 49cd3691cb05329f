/**
 * Interactive widgets (Jupyter widgets protocol 2.1, `@jupyter-widgets/controls` 5): typed controls whose
 * `observe` callbacks run in the kernel, `interact`, the Output widget and widget progress bars.
 */
export * from "./protocol";
export { Widget, Change, Observer, CustomHandler, ModelSpecState } from "./widget";
export { WidgetRegistry, widgetRegistry, widgetsSupported } from "./manager";
export * from "./layout";
export * from "./controls";
export * from "./output";
export * from "./interact";
export * from "./progress";
export * from "./link";
export * from "./precompute";

import { widgetRegistry } from "./manager";
// Register the comm targets as the library loads, so a frontend that opens `jupyter.widget.control` finds them.
widgetRegistry().connect();
