/**
 * One regression tree grown on binned features from per-row (target, weight) sums, the engine
 * under both `hgb` and `forest`.
 *
 * A node's best split maximises G_L^2/(H_L+l2) + G_R^2/(H_R+l2) - G^2/(H+l2), where G sums the
 * per-row target and H the per-row weight. For gradient boosting G is the negative gradient and
 * H the hessian of the log-loss (LightGBM / XGBoost's Newton gain, leaf value G/(H+l2)); for the
 * forest G is the in-bag count of positives and H the in-bag count, so the gain is the Gini /
 * variance reduction and the leaf value G/H is the leaf's positive-class frequency.
 *
 * Histograms hold (G, H, count) per bin, interleaved in one Float64Array. With all features in
 * play (boosting) a child's histogram is its parent's minus its sibling's (the subtraction trick:
 * only the smaller child is scanned). With a fresh feature sample per split (forest) only the
 * sampled features are scanned and nothing is subtracted.
 */
import { MISSING_BIN } from './binning.ts';

const BINS = 256;
const STRIDE = 3; // G, H, count

export interface GrowConfig {
  /** Best-first growth stops at this many leaves (Infinity: grow until nothing splits). */
  maxLeafNodes: number;
  /** Depth limit (Infinity: none). */
  maxDepth: number;
  minSamplesLeaf: number;
  /** Smallest hessian sum a child may have (guards against empty-weight leaves). */
  minHessianLeaf: number;
  l2: number;
  /** Features examined per split; >= cols means all (histogram subtraction on). */
  featuresPerSplit: number;
  /** Multiplies every node value (the learning rate for boosting, 1 for the forest). */
  valueScale: number;
  /** Uniform [0,1) source for feature sampling; only used when featuresPerSplit < cols. */
  nextUniform?: () => number;
}

/** The binned training problem: codes[f * rows + i], one bin count per feature. */
export interface BinnedData {
  readonly rows: number;
  readonly cols: number;
  readonly codes: Uint8Array;
  /** Number of non-missing bins per feature (edges + 1). */
  readonly binsPerFeature: Int32Array;
}

/** A fitted tree as flat arrays (node 0 is the root; left = -1 marks a leaf). */
export interface Tree {
  feature: Int32Array;
  /** Rows with bin code <= thresholdBin go left. */
  thresholdBin: Uint8Array;
  /** The same rule on raw values: x <= threshold goes left. */
  threshold: Float64Array;
  /** Where a missing value goes (1 = left). */
  missingLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  /** Leaf output; at internal nodes the output the node would have as a leaf (for path attribution). */
  value: Float64Array;
  /** Split gain at internal nodes, 0 at leaves. */
  gain: Float64Array;
}

interface SplitCandidate {
  gain: number;
  feature: number;
  bin: number;
  missingLeft: boolean;
}

interface PendingNode {
  id: number;
  start: number;
  end: number;
  depth: number;
  sumG: number;
  sumH: number;
  hist: Float64Array | null;
  split: SplitCandidate | null;
}

/**
 * Grows one tree over the rows listed in `rowIndex` (which is reordered in place so each leaf's
 * rows end up contiguous). Calls `onLeaf(start, end, value)` for every leaf so the caller can
 * update its per-row scores without re-traversing the tree.
 */
export function growTree(
  data: BinnedData,
  target: Float64Array,
  weight: Float64Array,
  rowIndex: Uint32Array,
  edges: readonly Float64Array[],
  config: GrowConfig,
  onLeaf?: (start: number, end: number, value: number) => void,
): Tree {
  const { cols } = data;
  const useAllFeatures = config.featuresPerSplit >= cols;
  const histLength = (useAllFeatures ? cols : config.featuresPerSplit) * BINS * STRIDE;
  const orderedG = new Float64Array(rowIndex.length);
  const orderedH = new Float64Array(rowIndex.length);
  const scratch = new Uint32Array(rowIndex.length);
  const featurePool = Int32Array.from({ length: cols }, (_, i) => i);
  const sampledFeatures = new Int32Array(useAllFeatures ? cols : config.featuresPerSplit);
  const spareHists: Float64Array[] = [];
  const takeHist = () => {
    const h = spareHists.pop();
    if (h) {
      h.fill(0);
      return h;
    }
    return new Float64Array(histLength);
  };

  const nodes = {
    feature: [] as number[],
    thresholdBin: [] as number[],
    missingLeft: [] as number[],
    left: [] as number[],
    right: [] as number[],
    value: [] as number[],
    gain: [] as number[],
  };
  const newNode = (sumG: number, sumH: number): number => {
    nodes.feature.push(-1);
    nodes.thresholdBin.push(0);
    nodes.missingLeft.push(0);
    nodes.left.push(-1);
    nodes.right.push(-1);
    nodes.value.push(leafValue(sumG, sumH, config));
    nodes.gain.push(0);
    return nodes.value.length - 1;
  };

  // Per sampled feature, the lowest and highest non-missing bin seen in the node. With all
  // features (boosting) the range is the whole feature, because subtracted histograms are not scanned.
  const binLo = new Int32Array(sampledFeatures.length);
  const binHi = new Int32Array(sampledFeatures.length);
  const fullRange = () => {
    for (let s = 0; s < sampledFeatures.length; s++) {
      binLo[s] = 0;
      binHi[s] = data.binsPerFeature[sampledFeatures[s]!]! - 1;
    }
  };

  // Fills `hist` for rows [start, end) over `features` (hist slot k holds features[k]).
  const buildHistogram = (hist: Float64Array, start: number, end: number, features: Int32Array, nFeatures: number) => {
    const m = end - start;
    for (let k = 0; k < m; k++) {
      const r = rowIndex[start + k]!;
      orderedG[k] = target[r]!;
      orderedH[k] = weight[r]!;
    }
    const rows = data.rows;
    const codes = data.codes;
    for (let s = 0; s < nFeatures; s++) {
      const base = features[s]! * rows;
      const offset = s * BINS * STRIDE;
      if (useAllFeatures) {
        for (let k = 0; k < m; k++) {
          const j = offset + codes[base + rowIndex[start + k]!]! * STRIDE;
          hist[j] = hist[j]! + orderedG[k]!;
          hist[j + 1] = hist[j + 1]! + orderedH[k]!;
          hist[j + 2] = hist[j + 2]! + 1;
        }
      } else {
        // Small forest nodes touch few bins: track the range so scanning and clearing stay O(rows).
        let lo = MISSING_BIN;
        let hi = -1;
        for (let k = 0; k < m; k++) {
          const code = codes[base + rowIndex[start + k]!]!;
          if (code !== MISSING_BIN) {
            if (code < lo) lo = code;
            if (code > hi) hi = code;
          }
          const j = offset + code * STRIDE;
          hist[j] = hist[j]! + orderedG[k]!;
          hist[j + 1] = hist[j + 1]! + orderedH[k]!;
          hist[j + 2] = hist[j + 2]! + 1;
        }
        binLo[s] = lo;
        binHi[s] = hi;
      }
    }
  };

  // Zeroes the bins a forest-node histogram touched, so the buffer can be reused without a full fill.
  const clearTouched = (hist: Float64Array, nFeatures: number) => {
    for (let s = 0; s < nFeatures; s++) {
      const offset = s * BINS * STRIDE;
      if (binHi[s]! >= binLo[s]!) hist.fill(0, offset + binLo[s]! * STRIDE, offset + (binHi[s]! + 1) * STRIDE);
      hist.fill(0, offset + MISSING_BIN * STRIDE, offset + (MISSING_BIN + 1) * STRIDE);
    }
  };

  // Best split of a node from its histogram; null when no split satisfies the constraints.
  const findSplit = (node: PendingNode, features: Int32Array, nFeatures: number): SplitCandidate | null => {
    if (node.depth >= config.maxDepth) return null;
    const hist = node.hist!;
    const count = node.end - node.start;
    if (count < 2 * config.minSamplesLeaf) return null;
    const { sumG, sumH } = node;
    const parentScore = (sumG * sumG) / (sumH + config.l2);
    let best: SplitCandidate | null = null;
    let bestGain = 1e-12;
    for (let s = 0; s < nFeatures; s++) {
      const f = features[s]!;
      const offset = s * BINS * STRIDE;
      const lo = binLo[s]!;
      const hi = binHi[s]!;
      const missOff = offset + MISSING_BIN * STRIDE;
      const missG = hist[missOff]!;
      const missH = hist[missOff + 1]!;
      const missC = hist[missOff + 2]!;
      let cumG = 0;
      let cumH = 0;
      let cumC = 0;
      // Threshold after bin b: non-missing bins 0..b go left.
      for (let b = lo; b <= hi; b++) {
        const j = offset + b * STRIDE;
        cumG += hist[j]!;
        cumH += hist[j + 1]!;
        cumC += hist[j + 2]!;
        const isLastBin = b === hi;
        // Missing goes right (or, with no missing here, is sent right by default).
        if (!isLastBin || missC > 0) {
          const lc = cumC;
          const rc = count - cumC;
          const lh = cumH;
          const rh = sumH - cumH;
          if (lc >= config.minSamplesLeaf && rc >= config.minSamplesLeaf && lh >= config.minHessianLeaf && rh >= config.minHessianLeaf) {
            const lg = cumG;
            const rg = sumG - cumG;
            const gain = (lg * lg) / (lh + config.l2) + (rg * rg) / (rh + config.l2) - parentScore;
            if (gain > bestGain) {
              bestGain = gain;
              best = { gain, feature: f, bin: b, missingLeft: missC === 0 ? lc > rc : false };
            }
          }
        }
        // Missing goes left: only a different split when this node has missing values.
        if (missC > 0 && !isLastBin) {
          const lc = cumC + missC;
          const rc = count - lc;
          const lh = cumH + missH;
          const rh = sumH - lh;
          if (lc >= config.minSamplesLeaf && rc >= config.minSamplesLeaf && lh >= config.minHessianLeaf && rh >= config.minHessianLeaf) {
            const lg = cumG + missG;
            const rg = sumG - lg;
            const gain = (lg * lg) / (lh + config.l2) + (rg * rg) / (rh + config.l2) - parentScore;
            if (gain > bestGain) {
              bestGain = gain;
              best = { gain, feature: f, bin: b, missingLeft: true };
            }
          }
        }
      }
    }
    return best;
  };

  // Draws the features a node may split on (all of them for boosting).
  const chooseFeatures = (): number => {
    if (useAllFeatures) {
      for (let f = 0; f < cols; f++) sampledFeatures[f] = f;
      return cols;
    }
    // Partial Fisher-Yates: a fresh sample of featuresPerSplit features for every split.
    const k = config.featuresPerSplit;
    const next = config.nextUniform!;
    for (let s = 0; s < k; s++) {
      const j = s + Math.floor(next() * (cols - s));
      const t = featurePool[s]!;
      featurePool[s] = featurePool[j]!;
      featurePool[j] = t;
      sampledFeatures[s] = featurePool[s]!;
    }
    return k;
  };

  // Partitions [start, end) by the split (stable, so rows stay in ascending order); returns the boundary.
  const partition = (start: number, end: number, split: SplitCandidate): number => {
    const base = split.feature * data.rows;
    const codes = data.codes;
    let nLeft = 0;
    let nRight = 0;
    for (let k = start; k < end; k++) {
      const r = rowIndex[k]!;
      const code = codes[base + r]!;
      const goesLeft = code === MISSING_BIN ? split.missingLeft : code <= split.bin;
      if (goesLeft) rowIndex[start + nLeft++] = r;
      else scratch[nRight++] = r;
    }
    rowIndex.set(scratch.subarray(0, nRight), start + nLeft);
    return start + nLeft;
  };

  const sums = (start: number, end: number): [number, number] => {
    let g = 0;
    let h = 0;
    for (let k = start; k < end; k++) {
      const r = rowIndex[k]!;
      g += target[r]!;
      h += weight[r]!;
    }
    return [g, h];
  };

  // The forest reuses one histogram buffer, cleared by touched range after each node.
  let forestHist: Float64Array | null = null;
  const [rootG, rootH] = sums(0, rowIndex.length);
  const root: PendingNode = { id: newNode(rootG, rootH), start: 0, end: rowIndex.length, depth: 0, sumG: rootG, sumH: rootH, hist: null, split: null };
  {
    const n = chooseFeatures();
    if (useAllFeatures) fullRange();
    root.hist = takeHist();
    buildHistogram(root.hist, root.start, root.end, sampledFeatures, n);
    root.split = findSplit(root, sampledFeatures, n);
    if (!useAllFeatures) {
      clearTouched(root.hist, n);
      forestHist = root.hist;
      root.hist = null;
    }
  }

  const frontier: PendingNode[] = [root];
  let leaves = 1;
  const bestFirst = Number.isFinite(config.maxLeafNodes);
  const finish = (node: PendingNode) => {
    if (node.hist) spareHists.push(node.hist);
    node.hist = null;
    onLeaf?.(node.start, node.end, nodes.value[node.id]!);
  };

  while (frontier.length > 0) {
    // Best-first (leaf-wise, LightGBM style) under a leaf budget; otherwise depth-first.
    let pick = frontier.length - 1;
    if (bestFirst) {
      if (leaves >= config.maxLeafNodes) break;
      let bestGain = -Infinity;
      for (let i = 0; i < frontier.length; i++) {
        const g = frontier[i]!.split?.gain ?? -Infinity;
        if (g > bestGain) {
          bestGain = g;
          pick = i;
        }
      }
    }
    const node = frontier[pick]!;
    frontier.splice(pick, 1);
    const split = node.split;
    if (!split) {
      finish(node);
      continue;
    }
    const mid = partition(node.start, node.end, split);
    const [leftG, leftH] = sums(node.start, mid);
    const rightG = node.sumG - leftG;
    const rightH = node.sumH - leftH;
    const left: PendingNode = { id: newNode(leftG, leftH), start: node.start, end: mid, depth: node.depth + 1, sumG: leftG, sumH: leftH, hist: null, split: null };
    const right: PendingNode = { id: newNode(rightG, rightH), start: mid, end: node.end, depth: node.depth + 1, sumG: rightG, sumH: rightH, hist: null, split: null };
    nodes.feature[node.id] = split.feature;
    nodes.thresholdBin[node.id] = split.bin;
    nodes.missingLeft[node.id] = split.missingLeft ? 1 : 0;
    nodes.left[node.id] = left.id;
    nodes.right[node.id] = right.id;
    nodes.gain[node.id] = split.gain;
    leaves++;

    if (useAllFeatures) {
      // Subtraction trick: scan the smaller child, derive the larger from the parent in place.
      const [small, large] = left.end - left.start <= right.end - right.start ? [left, right] : [right, left];
      small.hist = takeHist();
      buildHistogram(small.hist, small.start, small.end, sampledFeatures, cols);
      const parentHist = node.hist!;
      const smallHist = small.hist;
      for (let j = 0; j < histLength; j++) parentHist[j] = parentHist[j]! - smallHist[j]!;
      large.hist = parentHist;
      node.hist = null;
      left.split = findSplit(left, sampledFeatures, cols);
      right.split = findSplit(right, sampledFeatures, cols);
      // A child that cannot split no longer needs its histogram.
      for (const child of [left, right]) {
        if (!child.split && child.hist) {
          spareHists.push(child.hist);
          child.hist = null;
        }
      }
    } else {
      for (const child of [left, right]) {
        const n = chooseFeatures();
        child.hist = forestHist!;
        buildHistogram(child.hist, child.start, child.end, sampledFeatures, n);
        child.split = findSplit(child, sampledFeatures, n);
        clearTouched(child.hist, n);
        child.hist = null;
      }
    }
    frontier.push(left, right);
  }
  for (const node of frontier) finish(node);

  const feature = Int32Array.from(nodes.feature);
  const thresholdBin = Uint8Array.from(nodes.thresholdBin);
  const threshold = new Float64Array(feature.length);
  for (let i = 0; i < feature.length; i++) {
    const f = feature[i]!;
    if (f < 0) continue;
    const featureEdges = edges[f]!;
    const bin = thresholdBin[i]!;
    // The last non-missing bin has no upper edge: every non-missing value goes left.
    threshold[i] = bin < featureEdges.length ? featureEdges[bin]! : Number.MAX_VALUE;
  }
  return {
    feature,
    thresholdBin,
    threshold,
    missingLeft: Uint8Array.from(nodes.missingLeft),
    left: Int32Array.from(nodes.left),
    right: Int32Array.from(nodes.right),
    value: Float64Array.from(nodes.value),
    gain: Float64Array.from(nodes.gain),
  };
}

function leafValue(sumG: number, sumH: number, config: GrowConfig): number {
  const denom = sumH + config.l2;
  return denom > 0 ? (config.valueScale * sumG) / denom : 0;
}

/** Leaf index reached by one raw row (values[offset + f] is feature f). */
export function leafForRow(tree: Tree, values: Float64Array, offset: number): number {
  const { feature, threshold, missingLeft, left, right } = tree;
  let node = 0;
  while (left[node]! >= 0) {
    const x = values[offset + feature[node]!]!;
    if (x !== x) node = missingLeft[node] ? left[node]! : right[node]!;
    else node = x <= threshold[node]! ? left[node]! : right[node]!;
  }
  return node;
}

/** Leaf index reached by binned row i (codes column-major over `rows`). */
export function leafForBinnedRow(tree: Tree, codes: Uint8Array, rows: number, i: number): number {
  const { feature, thresholdBin, missingLeft, left, right } = tree;
  let node = 0;
  while (left[node]! >= 0) {
    const code = codes[feature[node]! * rows + i]!;
    if (code === MISSING_BIN) node = missingLeft[node] ? left[node]! : right[node]!;
    else node = code <= thresholdBin[node]! ? left[node]! : right[node]!;
  }
  return node;
}

/**
 * Saabas path attribution: walking from root to leaf, each step's change in node value is
 * credited to the feature split on. Adds into `perFeature`; returns the root value (the bias).
 */
export function addPathContributions(tree: Tree, values: Float64Array, offset: number, perFeature: Float64Array): number {
  const { feature, threshold, missingLeft, left, right, value } = tree;
  let node = 0;
  while (left[node]! >= 0) {
    const f = feature[node]!;
    const x = values[offset + f]!;
    const next = x !== x ? (missingLeft[node] ? left[node]! : right[node]!) : x <= threshold[node]! ? left[node]! : right[node]!;
    perFeature[f] = perFeature[f]! + (value[next]! - value[node]!);
    node = next;
  }
  return value[0]!;
}

/**
 * Saabas attribution of one row over a whole ensemble: per-feature contributions summed over the
 * trees, and `bias` plus every tree's root value (added in tree order).
 */
export function ensemblePathContributions(
  trees: readonly Tree[],
  values: Float64Array,
  offset: number,
  cols: number,
  bias: number,
): { bias: number; perFeature: Float64Array } {
  const perFeature = new Float64Array(cols);
  for (const tree of trees) bias += addPathContributions(tree, values, offset, perFeature);
  return { bias, perFeature };
}

/** Split gain summed per feature over every internal node of the trees (before normalising). */
export function splitGainByFeature(trees: readonly Tree[], cols: number): Float64Array {
  const total = new Float64Array(cols);
  for (const tree of trees) {
    for (let node = 0; node < tree.feature.length; node++) {
      const f = tree.feature[node]!;
      if (f >= 0) total[f] = total[f]! + tree.gain[node]!;
    }
  }
  return total;
}

/** Plain-array form for toJSON (threshold kept as a number; MAX_VALUE round-trips through JSON). */
export interface TreeJSON {
  feature: number[];
  thresholdBin: number[];
  threshold: number[];
  missingLeft: number[];
  left: number[];
  right: number[];
  value: number[];
  gain: number[];
}

export function treeToJSON(tree: Tree): TreeJSON {
  return {
    feature: Array.from(tree.feature),
    thresholdBin: Array.from(tree.thresholdBin),
    threshold: Array.from(tree.threshold),
    missingLeft: Array.from(tree.missingLeft),
    left: Array.from(tree.left),
    right: Array.from(tree.right),
    value: Array.from(tree.value),
    gain: Array.from(tree.gain),
  };
}

export function treeFromJSON(json: TreeJSON): Tree {
  return {
    feature: Int32Array.from(json.feature),
    thresholdBin: Uint8Array.from(json.thresholdBin),
    threshold: Float64Array.from(json.threshold),
    missingLeft: Uint8Array.from(json.missingLeft),
    left: Int32Array.from(json.left),
    right: Int32Array.from(json.right),
    value: Float64Array.from(json.value),
    gain: Float64Array.from(json.gain),
  };
}
