/**
 * Every typed control of `@jupyter-widgets/controls` 5, from one place.
 */
export * from "./control";
export * from "./sliders";
export * from "./selections";
export * from "./inputs";
export * from "./indicators";
export * from "./boxes";
