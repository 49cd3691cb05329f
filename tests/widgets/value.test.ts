/**
 * Every control that holds a typed `value` (check box, text field, play control, sliders, progress bars, label)
 * exposes it through the one ValueWidget mechanism: reading and setting `value` reads and sets the synced
 * attribute, `onValue` runs for a change from kernel code or the frontend until removed, and a value the control
 * refuses throws naming the control and changes nothing.
 */
import { strict as assert } from "assert";
import {
  Checkbox,
  FloatLogSlider,
  FloatProgress,
  FloatSlider,
  IntProgress,
  IntSlider,
  Label,
  Play,
  Text,
  ValueWidget,
} from "../../lib/widgets";
import type { Change, Observer, Widget } from "../../lib/widgets";
import type { StateValue } from "../../lib/widgets/protocol";

/** A control with a value, as the tests see it (each control fixes the value's type). */
type ValueControl = Widget & { value: unknown; onValue(callback: Observer<unknown>): () => void };

/** One control to exercise: how to make it, a value it takes, a value it refuses (undefined: none) and the error. */
interface Case {
  make: () => ValueControl;
  next: unknown;
  refused?: { value: unknown; error: RegExp };
}

const cases: Record<string, Case> = {
  Checkbox: {
    make: () => new Checkbox(),
    next: true,
    refused: { value: "yes", error: /Checkbox: value must be true or false/ },
  },
  Text: {
    make: () => new Text({ value: "a" }),
    next: "b",
    refused: { value: 3, error: /Text: value must be a string/ },
  },
  Play: { make: () => new Play({ max: 9 }), next: 4, refused: { value: 1.5, error: /Play: value must be an integer/ } },
  IntSlider: {
    make: () => new IntSlider(),
    next: 7,
    refused: { value: 2.5, error: /IntSlider: value must be an integer/ },
  },
  FloatSlider: {
    make: () => new FloatSlider(),
    next: 2.5,
    refused: { value: NaN, error: /FloatSlider: value must be a finite/ },
  },
  FloatLogSlider: {
    make: () => new FloatLogSlider(),
    next: 100,
    refused: { value: -1, error: /value must be above 0 on a log/ },
  },
  IntProgress: {
    make: () => new IntProgress(),
    next: 3,
    refused: { value: 0.5, error: /IntProgress: value must be an integer/ },
  },
  FloatProgress: {
    make: () => new FloatProgress(),
    next: 0.5,
    refused: { value: "x", error: /FloatProgress: value must be a fin/ },
  },
  Label: { make: () => new Label("a"), next: "b" },
};

describe("widgets: one typed value mechanism for every control with a value", function () {
  for (const [name, c] of Object.entries(cases)) {
    it(`${name}: value reads and sets the synced attribute, onValue runs until removed, a refused value changes nothing`, () => {
      const w = c.make();
      assert.ok(w instanceof ValueWidget, `${name} is a ValueWidget`);
      const before = w.value;
      assert.deepEqual(w.value, w.get("value"), "value is the state's value attribute");
      const seen: Array<Change<unknown>> = [];
      const stop = w.onValue((change) => {
        seen.push(change);
      });
      w.value = c.next;
      assert.deepEqual(w.value, c.next);
      assert.deepEqual(w.get("value"), c.next);
      w.value = c.next;
      assert.deepEqual(
        seen.map((s) => [s.name, s.old, s.new, s.fromFrontend]),
        [["value", before, c.next, false]],
      );
      w.receive({ method: "update", state: { value: before as StateValue }, buffer_paths: [] }, []);
      assert.deepEqual(w.value, before, "a frontend update sets the value");
      assert.deepEqual(seen.length, 2);
      assert.deepEqual([seen[1].old, seen[1].new, seen[1].fromFrontend], [c.next, before, true]);
      if (c.refused) {
        const { value, error } = c.refused;
        assert.throws(() => (w.value = value), error);
        assert.deepEqual(w.value, before, "a refused value changes nothing");
        assert.equal(seen.length, 2, "and runs no callback");
      }
      stop();
      w.value = c.next;
      assert.equal(seen.length, 2, "a removed callback no longer runs");
      w.close();
    });
  }
});
