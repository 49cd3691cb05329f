/**
 * The target column of a supervised problem as callers pass it (`TargetInput`) and its conversion to a plain array:
 * shared by data, metrics, charts and models, so it lives below all of them.
 */
import * as tf from "@tensorflow/tfjs";

/** Target values: a plain or typed array of numbers or strings, or a 1-D tensor. */
export type TargetInput = ArrayLike<number> | ArrayLike<string> | tf.Tensor1D | readonly (string | number)[];

/**
 * Converts a target to a plain array (numbers or strings), from arrays, typed arrays or a 1-D tensor.
 * @throws Error when given a tensor that is not 1-D.
 */
export function toTargetArray(y: TargetInput): (number | string)[] {
  if (y instanceof tf.Tensor) {
    if (y.rank !== 1) throw new Error(`Expected a 1-D target tensor, got shape [${y.shape}].`);
    return Array.from(y.dataSync());
  }
  return Array.from(y as ArrayLike<number | string>);
}
