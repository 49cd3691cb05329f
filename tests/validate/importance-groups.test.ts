/**
 * permutationImportance's groups: the columns of one one-hot variable are shuffled together and reported as one
 * feature.
 */
import { strict as assert } from "assert";
import { ValidationError } from "../../lib/core/validation";
import { toMatrix } from "../../lib/data/matrix";
import { OneHotEncoder } from "../../lib/data/transforms";
import { LogisticRegression } from "../../lib/models";
import { permutationImportance } from "../../lib/validate";
import { FEATURES, penguins } from "./helpers";

describe("permutationImportance groups: the columns of one one-hot variable are shuffled together", () => {
  const d = penguins();
  const encode = new OneHotEncoder({ columns: ["island"] }).fit(d.train.select([...FEATURES, "island"]));
  const Xtrain = encode.transform(d.train.select([...FEATURES, "island"]));
  const Xtest = encode.transform(d.test.select([...FEATURES, "island"]));
  const islands = Xtest.columnNames().filter((c: string) => c.startsWith("island_"));

  it("reports a group as one feature, and the other columns alone", async () => {
    const model = await new LogisticRegression().fit(toMatrix(Xtrain), d.ytrain);
    assert.equal(islands.length, 3, islands.join(", "));
    const result = permutationImportance(model, toMatrix(Xtest), d.ytest, {
      repeats: 3,
      seed: 1,
      groups: { island: islands },
    });
    assert.deepEqual(result.features.map((f) => f.feature).sort(), ["island", ...FEATURES].sort());
    assert.equal(result.features.find((f) => f.feature === "island")?.drops.length, 3);
  });

  it("a group of one column scores exactly as that column alone (same seeded shuffles)", async () => {
    const model = await new LogisticRegression().fit(toMatrix(Xtrain), d.ytrain);
    const alone = permutationImportance(model, toMatrix(Xtest), d.ytest, { repeats: 4, seed: 2 });
    const grouped = permutationImportance(model, toMatrix(Xtest), d.ytest, {
      repeats: 4,
      seed: 2,
      groups: { beak: [FEATURES[0]] },
    });
    for (const row of alone.features) {
      const name = row.feature === FEATURES[0] ? "beak" : row.feature;
      assert.deepEqual(grouped.features.find((f) => f.feature === name)?.drops, row.drops, name);
    }
  });

  it("refuses a column in two groups, an empty group and an unknown column", async () => {
    const model = await new LogisticRegression().fit(toMatrix(Xtrain), d.ytrain);
    const X = toMatrix(Xtest);
    assert.throws(
      () => permutationImportance(model, X, d.ytest, { groups: { a: [islands[0]], b: [islands[0], islands[1]] } }),
      (e: Error) => e instanceof ValidationError && /is in two groups/.test(e.message),
    );
    assert.throws(
      () => permutationImportance(model, X, d.ytest, { groups: { a: [] } }),
      (e: Error) => e instanceof ValidationError && /group "a" lists no columns/.test(e.message),
    );
    assert.throws(
      () => permutationImportance(model, X, d.ytest, { groups: { a: ["no_such_column"] } }),
      /no_such_column/,
    );
  });
});
