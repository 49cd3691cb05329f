/** The tfjs networks of the neural estimators: one builder per architecture (mlp, cnn, rnn, transformer). */
import * as tf from "@tensorflow/tfjs";
import type { NeuralParams } from "./params";
import "./layers";
import { PositionEmbedding, TransformerEncoderBlock } from "./layers";

/**
 * Builds the tfjs network of an architecture for one input shape (without the batch axis).
 * @throws Error when the input is too small for the conv blocks or longer than a transformer's maxLength.
 */
export function buildNetwork(p: NeuralParams, inputShape: number[], outputs: number): tf.Sequential {
  const net = tf.sequential();
  const drop = () => {
    if (p.dropout > 0) net.add(tf.layers.dropout({ rate: p.dropout }));
  };
  switch (p.architecture) {
    case "mlp":
      p.hiddenUnits.forEach((units, i) => {
        net.add(
          tf.layers.dense(
            i === 0 ? { units, activation: p.activation, inputShape } : { units, activation: p.activation },
          ),
        );
        drop();
      });
      if (p.hiddenUnits.length === 0) net.add(tf.layers.inputLayer({ inputShape }));
      break;
    case "cnn": {
      let [h, w] = inputShape;
      p.filters.forEach((filters, i) => {
        const conv = {
          filters,
          kernelSize: p.kernelSize,
          strides: p.strides,
          padding: p.padding,
          activation: "relu" as const,
        };
        net.add(tf.layers.conv2d(i === 0 ? { ...conv, inputShape } : conv));
        h = p.padding === "same" ? Math.ceil(h / p.strides) : Math.floor((h - p.kernelSize) / p.strides) + 1;
        w = p.padding === "same" ? Math.ceil(w / p.strides) : Math.floor((w - p.kernelSize) / p.strides) + 1;
        if (h < 1 || w < 1)
          throw new Error(
            `The image (${inputShape.join("×")}) is too small for ${p.filters.length} conv blocks of kernel ${p.kernelSize}: use padding "same" or fewer filters.`,
          );
        if (p.poolSize > 1 && h >= p.poolSize && w >= p.poolSize) {
          net.add(tf.layers.maxPooling2d({ poolSize: p.poolSize }));
          h = Math.floor(h / p.poolSize);
          w = Math.floor(w / p.poolSize);
        }
      });
      net.add(tf.layers.flatten());
      drop();
      if (p.denseUnits > 0) {
        net.add(tf.layers.dense({ units: p.denseUnits, activation: "relu" }));
        drop();
      }
      break;
    }
    case "rnn": {
      if (p.vocabSize)
        net.add(
          tf.layers.embedding({
            inputDim: p.vocabSize,
            outputDim: p.embeddingDim,
            inputLength: inputShape[0],
            inputShape,
          }),
        );
      for (let i = 0; i < p.layers; i++) {
        const cfg = {
          units: p.units,
          returnSequences: i < p.layers - 1,
          ...(i === 0 && !p.vocabSize ? { inputShape } : {}),
        };
        net.add(p.cell === "gru" ? tf.layers.gru(cfg) : tf.layers.lstm(cfg));
        drop();
      }
      break;
    }
    case "transformer": {
      if (inputShape[0] > p.maxLength)
        throw new Error(
          `Sequences have ${inputShape[0]} steps but maxLength is ${p.maxLength}: raise maxLength or truncate.`,
        );
      if (p.vocabSize) net.add(tf.layers.embedding({ inputDim: p.vocabSize, outputDim: p.dModel, inputShape }));
      else net.add(tf.layers.dense({ units: p.dModel, inputShape }));
      net.add(new PositionEmbedding({ maxLength: p.maxLength }));
      for (let i = 0; i < p.numLayers; i++)
        net.add(new TransformerEncoderBlock({ numHeads: p.numHeads, ffDim: p.ffDim, dropout: p.dropout }));
      net.add(tf.layers.globalAveragePooling1d());
      drop();
      break;
    }
  }
  net.add(tf.layers.dense({ units: outputs, activation: p.task === "classification" ? "softmax" : "linear" }));
  return net;
}
