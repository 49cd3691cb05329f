/**
 * slices() on accuracy uses intervals made for proportions: Wilson's for a group and Newcombe's hybrid score interval
 * for its gap to the rest. A group the model gets all right (15 of 15 Biscoe penguins, say) must not get the
 * bootstrap's degenerate `1 [1, 1]`: resampling 15 correct rows gives 15 correct rows every time, which claims a
 * certainty 15 rows cannot give (the Wilson interval is about 0.80–1).
 */
import { strict as assert } from "assert";
import { newcombeInterval, twoProportionPValue, wilsonInterval } from "../../lib/evaluate/intervals";
import { LogisticRegression } from "../../lib/models/linear";
import { slices } from "../../lib/validate";
import { realTable, rowsOf } from "./real-tables";

describe("slices(): accuracy intervals that stay honest on all-correct groups", () => {
  it("Newcombe's interval reproduces his published example (56/70 − 48/80: 0.0524 to 0.3339)", () => {
    const [lower, upper] = newcombeInterval(56, 70, 48, 80, 0.95);
    assert.ok(Math.abs(lower - 0.0524) < 5e-4, `lower ${lower}`);
    assert.ok(Math.abs(upper - 0.3339) < 5e-4, `upper ${upper}`);
  });

  it("the two-proportion z-test gives the textbook p-value, and 1 when both groups are all correct", () => {
    // 56/70 vs 48/80: pooled 104/150, z = 2.646, two-sided p = 0.0081.
    assert.ok(Math.abs(twoProportionPValue(56, 70, 48, 80) - 0.0081) < 2e-4);
    assert.equal(twoProportionPValue(15, 15, 30, 30), 1);
  });

  it("an all-correct group gets a Wilson interval below 1 and a gap interval that includes 0, so it is not called better", async () => {
    const t = realTable("iris");
    const rows = t.y.map((_, i) => i);
    const model = await new LogisticRegression().fit(rowsOf(t.X, rows), t.y);
    const pred = model.predict(rowsOf(t.X, rows)) as number[];
    const correct = rows.filter((i) => pred[i] === t.y[i]);
    const by = rows.map((i) => (correct.slice(0, 15).includes(i) ? "all-right" : "others"));
    const result = slices(model, rowsOf(t.X, rows), t.y, { by, seed: 0, bootstrap: 200 });
    const group = result.groups.find((g) => g.group === "all-right");
    assert.ok(group);
    assert.equal(group.value, 1);
    const wilson = wilsonInterval(15, 15, 0.95);
    assert.deepEqual(group.ci, [wilson.lower, wilson.upper]);
    assert.ok(
      group.ci[0] < 0.85 && group.ci[0] > 0.75,
      `Wilson lower bound for 15/15 is about 0.80, got ${group.ci[0]}`,
    );
    assert.ok(group.gapCi[0] < 0 && group.gapCi[1] > 0, `gap interval ${group.gapCi} includes 0`);
    assert.equal(group.significant, false);
    assert.equal(group.verdict, "pass");
  });
});
