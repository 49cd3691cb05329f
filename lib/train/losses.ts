/**
 * The losses the training loop minimises and the second metric it reports with each (`acc` for classification,
 * `mae` for regression), per batch and over a whole dataset.
 */
import * as tf from "@tensorflow/tfjs";

/** How the loss is computed from the network output. */
export type LossKind = "sparse-categorical" | "categorical" | "binary" | "mse";

/** The mean loss and metric of a batch, as scalars (inside a tidy scope). */
export function lossAndMetric(kind: LossKind, y: tf.Tensor, pred: tf.Tensor): { loss: tf.Scalar; metric: tf.Scalar } {
  switch (kind) {
    case "sparse-categorical": {
      const classes = pred.shape[pred.shape.length - 1] as number;
      const picked = tf.sum(tf.mul(tf.oneHot(tf.cast(y, "int32") as tf.Tensor1D, classes), pred), -1);
      const loss = tf.neg(tf.mean(tf.log(tf.clipByValue(picked, 1e-7, 1)))) as tf.Scalar;
      const metric = tf.mean(tf.cast(tf.equal(tf.argMax(pred, -1), tf.cast(y, "int32")), "float32")) as tf.Scalar;
      return { loss, metric };
    }
    case "categorical": {
      const p = tf.clipByValue(pred, 1e-7, 1);
      const loss = tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(p)), -1))) as tf.Scalar;
      const metric = tf.mean(tf.cast(tf.equal(tf.argMax(pred, -1), tf.argMax(y, -1)), "float32")) as tf.Scalar;
      return { loss, metric };
    }
    case "binary": {
      const p = tf.clipByValue(pred, 1e-7, 1 - 1e-7);
      const yy = tf.reshape(y, p.shape);
      const loss = tf.neg(
        tf.mean(tf.add(tf.mul(yy, tf.log(p)), tf.mul(tf.sub(1, yy), tf.log(tf.sub(1, p))))),
      ) as tf.Scalar;
      const metric = tf.mean(tf.cast(tf.equal(tf.greater(p, 0.5), tf.greater(yy, 0.5)), "float32")) as tf.Scalar;
      return { loss, metric };
    }
    case "mse": {
      const yy = tf.reshape(y, pred.shape);
      return {
        loss: tf.mean(tf.squaredDifference(pred, yy)) as tf.Scalar,
        metric: tf.mean(tf.abs(tf.sub(pred, yy))) as tf.Scalar,
      };
    }
  }
}

/** The name of the second metric the loop reports for a loss: `acc` or `mae`. */
export function metricName(kind: LossKind): "acc" | "mae" {
  return kind === "mse" ? "mae" : "acc";
}

/** Evaluates loss and metric over a dataset in batches (no dropout). */
export function evaluateLoss(
  net: tf.LayersModel,
  kind: LossKind,
  x: tf.Tensor,
  y: tf.Tensor,
  batchSize = 512,
): { loss: number; metric: number } {
  const n = x.shape[0];
  let loss = 0;
  let metric = 0;
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const [l, m] = tf.tidy(() => {
      const xb = tf.slice(x, start, size);
      const yb = tf.slice(y, start, size);
      const pred = net.apply(xb, { training: false }) as tf.Tensor;
      const r = lossAndMetric(kind, yb, pred);
      return [r.loss.dataSync()[0], r.metric.dataSync()[0]];
    });
    loss += l * size;
    metric += m * size;
  }
  return { loss: loss / n, metric: metric / n };
}
