/**
 * imageGrid draws real MNIST digits as a grid of heatmaps: each trace holds its image's pixels row by row, captions sit
 * above their images, the cells do not overlap, and bad input is refused with a message that says what to pass.
 */
import { strict as assert } from "assert";
import { loadImages } from "../../lib/datasets";
import { IMAGE_GRID_MAX, imageGrid } from "../../lib/viz";

const mnist = loadImages("mnist");
const six = mnist.images.subarray(0, 6 * 784);
const captions = Array.from({ length: 6 }, (_, i) => `true ${mnist.labels[i]}`);

describe("imageGrid: small images with captions (e.g. misclassified digits)", () => {
  it("draws one heatmap per image whose z is the image's pixels, top row first", () => {
    const fig = imageGrid(six, { height: 28, width: 28, captions, columns: 4, title: "six digits" });
    assert.equal(fig.data.length, 6);
    assert.equal(fig.title, "six digits");
    fig.data.forEach((trace, k) => {
      assert.equal(trace.type, "heatmap");
      const z = trace.z as number[][];
      assert.equal(z.length, 28);
      assert.ok(z.every((row) => row.length === 28));
      for (const [r, c] of [
        [0, 0],
        [14, 14],
        [20, 9],
        [27, 27],
      ])
        assert.equal(z[r][c], six[k * 784 + r * 28 + c]);
      assert.equal(trace.xaxis, k === 0 ? "x" : `x${k + 1}`);
    });
    // Ink is dark on a white background: the colour scale runs from white at the lowest pixel to black at the highest.
    assert.deepEqual(fig.data[0].colorscale, [
      [0, "#ffffff"],
      [1, "#000000"],
    ]);
    assert.equal(fig.data[0].zmin, 0);
    assert.equal(fig.data[0].zmax, Math.max(...six));
  });

  it("lays the images out in rows of `columns`, without overlap, each caption above its image", () => {
    const fig = imageGrid(six, { height: 28, width: 28, captions, columns: 4 });
    const layout = fig.layout as Record<string, { domain: number[] } | unknown>;
    const box = (k: number) => {
      const s = k === 0 ? "" : String(k + 1);
      return {
        x: (layout[`xaxis${s}`] as { domain: number[] }).domain,
        y: (layout[`yaxis${s}`] as { domain: number[] }).domain,
      };
    };
    for (let k = 0; k < 6; k++) {
      const b = box(k);
      for (const d of [b.x, b.y]) assert.ok(d[0] >= 0 && d[1] <= 1 && d[0] < d[1], JSON.stringify(d));
      for (let j = 0; j < k; j++) {
        const o = box(j);
        const overlapX = b.x[0] < o.x[1] && o.x[0] < b.x[1];
        const overlapY = b.y[0] < o.y[1] && o.y[0] < b.y[1];
        assert.ok(!(overlapX && overlapY), `images ${j} and ${k} overlap`);
      }
    }
    assert.deepEqual([box(0).y, box(3).y], [box(0).y, box(0).y], "the first four images share a row");
    assert.ok(box(4).y[1] < box(0).y[0], "the fifth image starts the second row");
    const notes = fig.layout.annotations as { text: string; y: number; x: number }[];
    assert.deepEqual(
      notes.map((a) => a.text),
      captions,
    );
    notes.forEach((a, k) => {
      assert.ok(a.y >= box(k).y[1], `caption ${k} sits above its image`);
      assert.ok(a.x > box(k).x[0] && a.x < box(k).x[1], `caption ${k} is centred over its image`);
    });
  });

  it("refuses pixels that are not whole images, mismatched captions, non-finite pixels and too many images", () => {
    assert.throws(
      () => imageGrid(six.subarray(0, 700), { height: 28, width: 28 }),
      /700 pixel values are not a whole number of 28 × 28 images/,
    );
    assert.throws(() => imageGrid(six, { height: 28, width: 28, captions: ["one"] }), /1 captions for 6 images/);
    assert.throws(() => imageGrid(six, { height: 0, width: 28 }), /positive whole numbers/);
    const broken = Float32Array.from(six);
    broken[784 + 5] = NaN;
    assert.throws(() => imageGrid(broken, { height: 28, width: 28 }), /image 1, pixel 5 is NaN/);
    assert.throws(
      () => imageGrid(mnist.images.subarray(0, (IMAGE_GRID_MAX + 1) * 784), { height: 28, width: 28 }),
      /at most 100/,
    );
  });
});
