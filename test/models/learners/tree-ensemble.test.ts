import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leafForRow } from '../../../src/models/learners/histogram-tree.ts';
import type { Tree } from '../../../src/models/learners/histogram-tree.ts';
import { addEnsembleScores, compileEnsemble } from '../../../src/models/learners/tree-ensemble.ts';

const COLS = 4;
/** Few distinct values so rows often land exactly on a threshold (x <= t must go left). */
const VALUES = [-2, -0.5, 0, 0.25, 1, 3, Number.MAX_VALUE, Infinity, -Infinity, NaN];

interface NodeSpec {
  feature: number;
  threshold: number;
  missingLeft: boolean;
  value: number;
  children: [NodeSpec, NodeSpec] | null;
}

const nodeSpec: fc.Memo<NodeSpec> = fc.memo((depth) =>
  fc.record({
    feature: fc.integer({ min: 0, max: COLS - 1 }),
    threshold: fc.constantFrom(-0.5, 0, 0.25, 1, Number.MAX_VALUE),
    missingLeft: fc.boolean(),
    value: fc.double({ min: -5, max: 5, noNaN: true }),
    children: depth <= 1 ? fc.constant(null) : fc.option(fc.tuple(nodeSpec(depth - 1), nodeSpec(depth - 1)), { freq: 3 }),
  }),
);

/**
 * Numbers nodes depth-first with the right subtree first, so children are generally not
 * adjacent: the compiled layout has to renumber them.
 */
function toTree(root: NodeSpec): Tree {
  const specs: NodeSpec[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const visit = (spec: NodeSpec): number => {
    const id = specs.length;
    specs.push(spec);
    left.push(-1);
    right.push(-1);
    if (spec.children) {
      right[id] = visit(spec.children[1]);
      left[id] = visit(spec.children[0]);
    }
    return id;
  };
  visit(root);
  const internal = (i: number) => left[i]! >= 0;
  return {
    feature: Int32Array.from(specs, (s, i) => (internal(i) ? s.feature : -1)),
    thresholdBin: new Uint8Array(specs.length),
    threshold: Float64Array.from(specs, (s, i) => (internal(i) ? s.threshold : 0)),
    missingLeft: Uint8Array.from(specs, (s) => (s.missingLeft ? 1 : 0)),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float64Array.from(specs, (s) => s.value),
    gain: new Float64Array(specs.length),
  };
}

describe('compiled tree ensemble', () => {
  it('adds, tree by tree, exactly the leaf outputs the trees give one at a time', () => {
    fc.assert(
      fc.property(
        fc.array(nodeSpec(6), { minLength: 1, maxLength: 6 }),
        fc.array(fc.constantFrom(...VALUES), { minLength: COLS, maxLength: COLS * 300 }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        (specs, cells, start) => {
          const trees = specs.map(toTree);
          const rows = Math.floor(cells.length / COLS);
          const values = Float64Array.from(cells.slice(0, rows * COLS));
          const expected = new Float64Array(rows).fill(start);
          for (const tree of trees) for (let i = 0; i < rows; i++) expected[i] = expected[i]! + tree.value[leafForRow(tree, values, i * COLS)]!;
          const got = new Float64Array(rows).fill(start);
          addEnsembleScores(compileEnsemble(trees), values, COLS, got);
          expect(Array.from(got)).toEqual(Array.from(expected));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('sends a missing value the learned way and a value equal to the threshold left', () => {
    const stump = (missingLeft: number): Tree => ({
      feature: Int32Array.from([0, -1, -1]),
      thresholdBin: new Uint8Array(3),
      threshold: Float64Array.from([1, 0, 0]),
      missingLeft: Uint8Array.from([missingLeft, 0, 0]),
      left: Int32Array.from([1, -1, -1]),
      right: Int32Array.from([2, -1, -1]),
      value: Float64Array.from([0, 10, 20]),
      gain: new Float64Array(3),
    });
    const values = Float64Array.from([NaN, 1, 1.5, -Infinity, Infinity]);
    const missingLeft = addEnsembleScores(compileEnsemble([stump(1)]), values, 1, new Float64Array(5));
    const missingRight = addEnsembleScores(compileEnsemble([stump(0)]), values, 1, new Float64Array(5));
    expect(Array.from(missingLeft)).toEqual([10, 10, 20, 10, 20]);
    expect(Array.from(missingRight)).toEqual([20, 10, 20, 10, 20]);
  });
});
