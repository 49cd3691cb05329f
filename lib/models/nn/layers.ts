/**
 * Custom tfjs layers for the small transformer encoder: learned positional embeddings and an encoder block
 * (multi-head self-attention + feed-forward, each with a residual connection and layer normalisation).
 * Both are registered for serialisation, so saved models load back.
 */
import * as tf from "@tensorflow/tfjs";

type Kwargs = Record<string, unknown>;

/** Adds a learned embedding of each position to a [batch, time, dModel] input. */
export class PositionEmbedding extends tf.layers.Layer {
  static className = "TrainlabPositionEmbedding";
  private readonly maxLength: number;
  private table?: tf.LayerVariable;

  constructor(config: { maxLength: number; name?: string }) {
    super(config);
    this.maxLength = config.maxLength;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    this.table = this.addWeight(
      "positions",
      [this.maxLength, shape[2] as number],
      "float32",
      tf.initializers.randomNormal({ stddev: 0.02 }),
    );
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const steps = x.shape[1] as number;
      if (steps > this.maxLength)
        throw new Error(`Sequence length ${steps} exceeds the transformer's maxLength ${this.maxLength}.`);
      return tf.add(x, tf.slice(this.table!.read(), [0, 0], [steps, -1]));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), maxLength: this.maxLength };
  }
}

/** One transformer encoder block (post-norm, as in "Attention is all you need"). */
export class TransformerEncoderBlock extends tf.layers.Layer {
  static className = "TrainlabTransformerEncoderBlock";
  private readonly numHeads: number;
  private readonly ffDim: number;
  private readonly rate: number;
  private w: Record<string, tf.LayerVariable> = {};

  constructor(config: { numHeads: number; ffDim: number; dropout?: number; name?: string }) {
    super(config);
    this.numHeads = config.numHeads;
    this.ffDim = config.ffDim;
    this.rate = config.dropout ?? 0;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const d = (inputShape as tf.Shape)[2] as number;
    if (d % this.numHeads !== 0) throw new Error(`dModel ${d} must be divisible by numHeads ${this.numHeads}.`);
    const glorot = () => tf.initializers.glorotUniform({});
    const zeros = () => tf.initializers.zeros();
    const ones = () => tf.initializers.ones();
    for (const name of ["wq", "wk", "wv", "wo"]) this.w[name] = this.addWeight(name, [d, d], "float32", glorot());
    for (const name of ["bq", "bk", "bv", "bo"]) this.w[name] = this.addWeight(name, [d], "float32", zeros());
    this.w.w1 = this.addWeight("w1", [d, this.ffDim], "float32", glorot());
    this.w.b1 = this.addWeight("b1", [this.ffDim], "float32", zeros());
    this.w.w2 = this.addWeight("w2", [this.ffDim, d], "float32", glorot());
    this.w.b2 = this.addWeight("b2", [d], "float32", zeros());
    this.w.g1 = this.addWeight("ln1_gamma", [d], "float32", ones());
    this.w.be1 = this.addWeight("ln1_beta", [d], "float32", zeros());
    this.w.g2 = this.addWeight("ln2_gamma", [d], "float32", ones());
    this.w.be2 = this.addWeight("ln2_beta", [d], "float32", zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const training = kwargs.training === true;
      const [batch, steps, d] = x.shape;
      const h = this.numHeads;
      const dk = d / h;
      const v = (name: string) => this.w[name].read();
      const dense = (t: tf.Tensor, wName: string, bName: string) =>
        tf.add(
          tf.reshape(tf.matMul(tf.reshape(t, [-1, t.shape[2] as number]), v(wName)), [batch, steps, -1]),
          v(bName),
        );
      const heads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [batch, steps, h, dk]), [0, 2, 1, 3]);
      const q = heads(dense(x, "wq", "bq"));
      const k = heads(dense(x, "wk", "bk"));
      const val = heads(dense(x, "wv", "bv"));
      let weights = tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(dk)));
      if (training && this.rate > 0) weights = tf.dropout(weights, this.rate);
      const attended = tf.reshape(tf.transpose(tf.matMul(weights, val), [0, 2, 1, 3]), [batch, steps, d]);
      let attn = dense(attended, "wo", "bo");
      if (training && this.rate > 0) attn = tf.dropout(attn, this.rate);
      const x1 = layerNorm(tf.add(x, attn), v("g1"), v("be1"));
      let ff = dense(tf.relu(dense(x1, "w1", "b1")), "w2", "b2");
      if (training && this.rate > 0) ff = tf.dropout(ff, this.rate);
      return layerNorm(tf.add(x1, ff), v("g2"), v("be2"));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), numHeads: this.numHeads, ffDim: this.ffDim, dropout: this.rate };
  }
}

function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma), beta);
}

tf.serialization.registerClass(PositionEmbedding);
tf.serialization.registerClass(TransformerEncoderBlock);
