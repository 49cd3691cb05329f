/** A boosted tree as flat arrays (the type HistTreeGrower returns) and how a row reads its leaf value. */
import { TreeArrays, leafOf } from "./cart";

/** A boosted tree as flat arrays (a CART tree's layout); leaves have feature -1 and hold their (shrunk) value. */
export type BoostedTree = Pick<TreeArrays, "nodeCount" | "feature" | "threshold" | "left" | "right" | "value">;

/** The leaf value a row gets from a boosted tree. */
export function treeValue(tree: BoostedTree, data: Float64Array, base: number): number {
  return tree.value[leafOf(tree, data, base)];
}
