export * from "./matrix";
