/**
 * Table transforms with scikit-learn's contract (fit on the training split, transform any split, plain-data params,
 * exact JSON round trips). One step per file in ./transforms/; this module is their public face.
 */
export { Transform, registerTransform, transformFromJSON } from "./transforms/transform";
export type { ParamJson, StepFacts, TransformJSON } from "./transforms/transform";
export { DropDuplicates, countDuplicates, dropDuplicates, uniqueRowIndices } from "./transforms/drop-duplicates";
export type { DropDuplicatesParams } from "./transforms/drop-duplicates";
export { Impute } from "./transforms/impute";
export type { CategoricalImputeStrategy, ImputeParams, ImputeStrategy } from "./transforms/impute";
export { MinMaxScaler, RobustScaler, StandardScaler } from "./transforms/scalers";
export type { ScalerParams } from "./transforms/scalers";
export { OneHotEncoder } from "./transforms/one-hot-encoder";
export type { OneHotEncoderParams } from "./transforms/one-hot-encoder";
export { LabelEncoder, OrdinalEncoder } from "./transforms/ordinal-encoder";
export type { LabelEncoderParams, OrdinalEncoderParams } from "./transforms/ordinal-encoder";
export { ClipOutliers } from "./transforms/clip-outliers";
export type { ClipOutliersParams } from "./transforms/clip-outliers";
export { SelectColumns } from "./transforms/select-columns";
export type { SelectColumnsParams } from "./transforms/select-columns";
