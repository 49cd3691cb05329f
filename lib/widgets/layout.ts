/**
 * The child models every control of `@jupyter-widgets/controls` 5 refers to: `LayoutModel`
 * (`@jupyter-widgets/base` 2.0.0, CSS layout) and the style models (`SliderStyleModel`, ...).
 */
import { ModelSpecState, Widget } from "./widget";

/** The CSS attributes of a LayoutModel (null: the frontend's default). */
export const LAYOUT_ATTRIBUTES = [
  "align_content",
  "align_items",
  "align_self",
  "border_bottom",
  "border_left",
  "border_right",
  "border_top",
  "bottom",
  "display",
  "flex",
  "flex_flow",
  "grid_area",
  "grid_auto_columns",
  "grid_auto_flow",
  "grid_auto_rows",
  "grid_column",
  "grid_gap",
  "grid_row",
  "grid_template_areas",
  "grid_template_columns",
  "grid_template_rows",
  "height",
  "justify_content",
  "justify_items",
  "left",
  "margin",
  "max_height",
  "max_width",
  "min_height",
  "min_width",
  "object_fit",
  "object_position",
  "order",
  "overflow",
  "padding",
  "right",
  "top",
  "visibility",
  "width",
] as const;

/** One CSS attribute of a layout. */
export type LayoutAttribute = (typeof LAYOUT_ATTRIBUTES)[number];

/** CSS settings of a layout, e.g. `{ width: "400px" }`. */
export type LayoutOptions = Partial<Record<LayoutAttribute, string | null>>;

/** The state of a LayoutModel. */
export type LayoutState = ModelSpecState & Record<LayoutAttribute, string | null>;

/** A control's CSS layout (`LayoutModel` of `@jupyter-widgets/base` 2.0.0). */
export class Layout extends Widget<LayoutState> {
  /** Creates a layout; unset attributes are null (the frontend's default). */
  constructor(options: LayoutOptions = {}) {
    const state = {
      _model_name: "LayoutModel",
      _model_module: "@jupyter-widgets/base",
      _model_module_version: "2.0.0",
      _view_name: "LayoutView",
      _view_module: "@jupyter-widgets/base",
      _view_module_version: "2.0.0",
    } as LayoutState;
    for (const a of LAYOUT_ATTRIBUTES) state[a] = options[a] ?? null;
    super(state);
  }
}

/** The style models of controls 5 and their attributes (null or "" : the frontend's default). */
export const STYLE_ATTRIBUTES = {
  DescriptionStyleModel: { description_width: "" },
  SliderStyleModel: { description_width: "", handle_color: null },
  ProgressStyleModel: { description_width: "", bar_color: null },
  ButtonStyleModel: {
    button_color: null,
    font_family: null,
    font_size: null,
    font_style: null,
    font_variant: null,
    font_weight: null,
    text_color: null,
    text_decoration: null,
  },
  CheckboxStyleModel: { description_width: "", background: null },
  ToggleButtonsStyleModel: { description_width: "", button_width: "", font_weight: "" },
  TextStyleModel: { description_width: "", background: null, font_size: null, text_color: null },
  LabelStyleModel: {
    description_width: "",
    background: null,
    font_family: null,
    font_size: null,
    font_style: null,
    font_variant: null,
    font_weight: null,
    text_color: null,
    text_decoration: null,
  },
} as const satisfies Record<string, Record<string, string | null>>;

/** The name of a style model. */
export type StyleModelName = keyof typeof STYLE_ATTRIBUTES;

/** The state of a style model. */
export type StyleState = ModelSpecState & Record<string, string | null>;

/** A control's style (`<Name>StyleModel` of `@jupyter-widgets/controls` 2.0.0, viewed by `StyleView`). */
export class Style extends Widget<StyleState> {
  /**
   * Creates a style model of kind `modelName` with `options` over its defaults.
   * @throws Error when an option is not an attribute of that style model.
   */
  constructor(modelName: StyleModelName, options: Record<string, string | null> = {}) {
    const defaults: Record<string, string | null> = STYLE_ATTRIBUTES[modelName];
    for (const k of Object.keys(options)) {
      if (!(k in defaults))
        throw new Error(`${modelName} has no attribute "${k}"; it has ${Object.keys(defaults).join(", ")}`);
    }
    super({
      _model_name: modelName,
      _model_module: "@jupyter-widgets/controls",
      _model_module_version: "2.0.0",
      _view_name: "StyleView",
      _view_module: "@jupyter-widgets/base",
      _view_module_version: "2.0.0",
      ...defaults,
      ...options,
    });
  }
}
