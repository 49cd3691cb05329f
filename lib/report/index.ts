/**
 * lib/report: experiment reports and runs.
 * - `reportContext({...})`: what a notebook's HTML report header shows (seed, data fingerprints, scorecard...).
 * - `recordRun`, `startRun`, `listRuns`, `loadRun`, `compareRuns` (also as `runs.*`): experiment history in runs/.
 * - `dataFingerprint(data)`: a content hash of a dataset.
 * The notebook runner itself (`npm start`) lives in ./run-notebooks.ts and is not part of the notebook API.
 */
export * from "./context";
export * from "./fingerprint";
export * from "./runs";
export { environmentInfo, gitCommit, packageVersions } from "./environment";
export type { EnvironmentInfo } from "./environment";
