/**
 * Shared fixtures of the lib/validate specifications (tests/validate/validate*.test.ts): the penguins split, the two
 * trained models every file checks (trained once, on first use), a classifier wrapper whose predict a test can change,
 * and the HTML a result renders to.
 */
import * as aq from "arquero";
import { ensureBackend } from "../../lib/backend";
import type { FeatureInput } from "../../lib/data/matrix";
import type { Classifier, Estimator, Params } from "../../lib/models/estimator";
import { FEATURES, TfjsMlp, TinyLogistic, penguins, render } from "./helpers";

/** The real penguins table cut into training and test parts. */
export const data = penguins();

/** Wraps a classifier; lets a test change what predict does. */
export class Wrapped implements Classifier {
  readonly kind = "classifier" as const;
  constructor(
    readonly inner: Classifier,
    readonly name: string,
    private readonly hook: (X: FeatureInput, pred: (number | string)[]) => (number | string)[],
    private readonly lazy = false,
  ) {}
  get fitted(): boolean {
    return this.inner.fitted;
  }
  get classes(): readonly (number | string)[] {
    return this.inner.classes;
  }
  getParams(): Params {
    return {};
  }
  withParams(): Estimator {
    return this;
  }
  async fit(): Promise<this> {
    return this;
  }
  predict(X: FeatureInput): (number | string)[] {
    return this.hook(X, this.lazy ? [] : this.inner.predict(X));
  }
  predictProba(X: FeatureInput): number[][] {
    return this.inner.predictProba(X);
  }
  score(): number {
    return NaN;
  }
  async save(dir: string): Promise<void> {
    await this.inner.save(dir);
  }
}

/** Lets a features-only model take the whole table (as a Pipeline that selects its columns would). */
export function selecting(inner: Classifier): Classifier {
  const pick = (X: FeatureInput): FeatureInput =>
    (X as { select?: unknown }).select ? (X as aq.ColumnTable).select(FEATURES) : X;
  const wrapped = new Wrapped(inner, `${inner.name}+select`, (X) => inner.predict(pick(X)), true);
  wrapped.predictProba = (X: FeatureInput) => inner.predictProba(pick(X));
  return wrapped;
}

/** The text/html part of what a result renders to. */
export function html(value: unknown): string {
  return render(value)["text/html"] as string;
}

let trained: Promise<{ logistic: TinyLogistic; mlp: TfjsMlp }> | undefined;

/** The classical and the tfjs model, fitted on the training split once (after the backend is ready) and shared. */
export function trainedModels(): Promise<{ logistic: TinyLogistic; mlp: TfjsMlp }> {
  trained ??= (async () => {
    await ensureBackend();
    const logistic = await new TinyLogistic().fit(data.Xtrain, data.ytrain);
    const mlp = await new TfjsMlp().fit(data.Xtrain, data.ytrain);
    return { logistic, mlp };
  })();
  return trained;
}
