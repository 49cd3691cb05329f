/**
 * lib/models' public entry: the estimator contract, classical models, neural networks, baselines and loading.
 */
export * from "./estimator";
export { registeredEstimators } from "./base";
export type { SavedModelManifest } from "./base";
export { LogisticRegression, LinearRegression, Ridge } from "./linear";
export type { LogisticRegressionParams, LinearRegressionParams, RidgeParams } from "./linear";
export { DecisionTreeClassifier, DecisionTreeRegressor, RandomForestClassifier, RandomForestRegressor } from "./trees";
export type { DecisionTreeParams, RandomForestParams, MaxFeatures } from "./trees";
export type { TreeArrays } from "./cart";
export { HistGradientBoostingClassifier, HistGradientBoostingRegressor } from "./boosting";
export type { HistGradientBoostingParams, BoostedTree, BoostingHistory } from "./boosting";
export { SVC } from "./svm";
export type { SVCParams } from "./svm";
export { GaussianNB } from "./naive-bayes";
export type { GaussianNBParams } from "./naive-bayes";
export { KMeans, AgglomerativeClustering, AGGLOMERATIVE_MAX_ROWS } from "./clustering";
export type { KMeansParams, AgglomerativeParams, Linkage } from "./clustering";
export { recommend, RECOMMEND_TASKS } from "./recommend";
export type { RecommendTask, DataShape, Candidate, Recommendation, Suitability } from "./recommend";
export { loadModel } from "./load";
export { checkEstimator, discoverEstimators } from "./check-estimator";
export type { CheckData, EstimatorCheckResult, MakeEstimator, DiscoveredEstimator } from "./check-estimator";
export { DEFAULT_SEED } from "./base";
export * from "./nn";
