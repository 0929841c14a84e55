/**
 * Fast scoring of a fitted tree ensemble (`hgb`, `forest`). The trees are recompiled once into
 * one flat node table: per node an Int32 pair (feature, first child; the second child is always
 * the next node) and one Float64 (the raw-value threshold at a split, the leaf's output at a
 * leaf). A node visit then touches two cache lines instead of the five separate arrays of `Tree`.
 * Rows are scored in blocks, tree-outer within a block, sized so that the block's feature values
 * or the tree's nodes (whichever is reused more) stay in cache instead of being re-fetched.
 *
 * The decisions are exactly those of `leafForRow` (x <= threshold goes left, missing follows the
 * learned direction) and each row's leaf outputs are added in tree order, so scores are
 * bit-identical to walking the `Tree`s one at a time.
 */
import type { FeatureMatrix } from '../risk-model.ts';
import type { Tree } from './histogram-tree.ts';

/**
 * Rows per block. Every tree re-reads the block's rows and every row re-reads the tree's upper
 * nodes: small boosted trees (tens of nodes) want a small block whose rows stay in L1/L2 (256 rows
 * of 100 features is 200 KiB), while deep forest trees (thousands of nodes) want a long block so
 * each tree, once loaded into cache, serves many rows. Measured on the UCI test rows (91 features):
 * a few hundred rows suited hgb's 15-leaf trees, several thousand the forest's 8,700-node trees.
 */
function blockRows(ensemble: CompiledEnsemble): number {
  const nodesPerTree = ensemble.thresholdOrValue.length / Math.max(1, ensemble.roots.length);
  return Math.min(8192, Math.max(256, Math.round(2 * nodesPerTree)));
}

/** An ensemble compiled for scoring; see the module comment. */
export interface CompiledEnsemble {
  /** Node index of each tree's root. */
  readonly roots: Int32Array;
  /** Per node: [feature (-1 at a leaf), index of the left child (the right child is left + 1)]. */
  readonly links: Int32Array;
  /** Per node: threshold at a split, output at a leaf. */
  readonly thresholdOrValue: Float64Array;
  /** Per node: 1 when a missing value goes left (read only for missing values). */
  readonly missingLeft: Uint8Array;
}

/** Lays the trees out as one node table, each node's children side by side. */
export function compileEnsemble(trees: readonly Tree[]): CompiledEnsemble {
  let total = 0;
  for (const tree of trees) total += tree.left.length;
  const roots = new Int32Array(trees.length);
  const links = new Int32Array(2 * total);
  const thresholdOrValue = new Float64Array(total);
  const missingLeft = new Uint8Array(total);
  let next = 0;
  trees.forEach((tree, t) => {
    // Depth-first renumbering in sibling pairs: a node's two children get consecutive indices,
    // and a subtree's nodes lie together (the deep, rarely shared part of a path stays local).
    const newIndex = new Int32Array(tree.left.length);
    roots[t] = next;
    newIndex[0] = next++;
    const stack: number[] = [0];
    while (stack.length > 0) {
      const old = stack.pop()!;
      const at = newIndex[old]!;
      const left = tree.left[old]!;
      if (left < 0) {
        links[2 * at] = -1;
        thresholdOrValue[at] = tree.value[old]!;
        continue;
      }
      const right = tree.right[old]!;
      newIndex[left] = next++;
      newIndex[right] = next++;
      stack.push(right, left);
      links[2 * at] = tree.feature[old]!;
      links[2 * at + 1] = newIndex[left]!;
      thresholdOrValue[at] = tree.threshold[old]!;
      missingLeft[at] = tree.missingLeft[old]!;
    }
  });
  return { roots, links, thresholdOrValue, missingLeft };
}

/**
 * Adds each tree's leaf output to `out[i]` for every row i of the row-major `values` (`cols`
 * per row), trees in order; `out` holds the starting score (0, or a baseline). Returns `out`.
 */
export function addEnsembleScores(ensemble: CompiledEnsemble, values: Float64Array, cols: number, out: Float64Array): Float64Array {
  const { roots, links, thresholdOrValue, missingLeft } = ensemble;
  const rows = out.length;
  const nTrees = roots.length;
  const block = blockRows(ensemble);
  for (let blockStart = 0; blockStart < rows; blockStart += block) {
    const blockEnd = Math.min(rows, blockStart + block);
    for (let t = 0; t < nTrees; t++) {
      const root = roots[t]!;
      for (let i = blockStart; i < blockEnd; i++) {
        const offset = i * cols;
        let node = root;
        let feature = links[2 * node]!;
        while (feature >= 0) {
          const x = values[offset + feature]!;
          const left = links[2 * node + 1]!;
          if (x <= thresholdOrValue[node]!) node = left;
          else if (x === x) node = left + 1;
          else node = missingLeft[node] ? left : left + 1;
          feature = links[2 * node]!;
        }
        out[i] = out[i]! + thresholdOrValue[node]!;
      }
    }
  }
  return out;
}

/** The part of a fitted tree learner's state that scoring needs. */
export interface EnsembleState {
  readonly trees: readonly Tree[];
  /** Scoring layout of `trees`, built on first use and kept (never serialised). */
  compiled?: CompiledEnsemble;
}

/** Adds the ensemble's leaf outputs for every row of X to `out` (compiling the trees on first use). */
export function addTreeScores(state: EnsembleState, X: FeatureMatrix, out: Float64Array): Float64Array {
  state.compiled ??= compileEnsemble(state.trees);
  return addEnsembleScores(state.compiled, X.values, X.cols, out);
}
