export * from "./figure";
export * from "./renderers";
