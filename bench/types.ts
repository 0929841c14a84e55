/** One figure printed by `npm run bench`, with its target and the ratio to it. */
export interface BenchResult {
  /** What was measured, e.g. "generate 1,000,000 members". */
  name: string;
  value: number;
  unit: string;
  /** The target, in the same unit. */
  target?: number;
  /** Whether a bigger value is better (throughput) or smaller (time, memory). */
  higherIsBetter: boolean;
  /** A baseline to compare with (e.g. scikit-learn's figure), with its label. */
  baseline?: { label: string; value: number };
  note?: string;
}

/** A benchmark module: `bench/<area>.ts` exporting `run`. */
export type BenchRun = (options: { quick: boolean }) => Promise<BenchResult[]>;
