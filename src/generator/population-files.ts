/**
 * The edge: streams the generated population to `<out>/<entity>.csv` and the ground truth to
 * `<out>/truth/`, with bounded memory. Buffers are flushed in large chunks; a stream that
 * reports back-pressure is awaited before more members are simulated. Each file's SHA-256 is
 * computed from the same bytes as they are written, so the manifest costs no second read.
 */
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ENTITY_NAMES } from '../../data-contracts/v1/index.ts';
import { csvHeader } from './csv.ts';
import { GENERATOR_VERSION, PopulationGenerator, type PopulationOptions } from './population.ts';
import { FILE_INDEX, RowBuffers, TRUTH_FILES, TRUTH_HEADERS, type DefectClass } from './rows.ts';

/** What a run produced (also written to truth/manifest.json). */
export interface PopulationManifest {
  generator_version: string;
  seed: number;
  members: number;
  defect_rate: number;
  start_year: number;
  end_year: number;
  /** Data rows per file (headers excluded), keyed by path relative to the output folder. */
  row_counts: Record<string, number>;
  defect_counts: Record<DefectClass, number>;
  /** HbA1c rows reported in mmol/mol with the right unit: valid, the loader must convert them. */
  hba1c_mmol_per_mol_rows: number;
  sha256: Record<string, string>;
}

export interface GenerationSummary {
  manifest: PopulationManifest;
  elapsedMs: number;
  totalRows: number;
}

/** Members simulated between buffer checks. */
const CHUNK_MEMBERS = 1000;

/** Relative path of each buffer's file. */
function relativePaths(): string[] {
  return [...ENTITY_NAMES.map((e) => `${e}.csv`), ...TRUTH_FILES.map((t) => `truth/${t}.csv`)];
}

class HashedFile {
  private readonly stream: WriteStream;
  private readonly hash: Hash = createHash('sha256');

  constructor(file: string) {
    this.stream = createWriteStream(file, { highWaterMark: 1 << 22 });
  }

  /** Write bytes; resolves at once unless the stream asks the producer to wait. */
  write(bytes: Buffer): Promise<void> | null {
    if (!bytes.length) return null;
    this.hash.update(bytes);
    if (this.stream.write(bytes)) return null;
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.stream.once('error', onError);
      this.stream.once('drain', () => {
        this.stream.off('error', onError);
        resolve();
      });
    });
  }

  close(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.stream.once('error', reject);
      this.stream.end(() => resolve(this.hash.digest('hex')));
    });
  }
}

/**
 * Generate the population into `outDir`. `onProgress` is called with the number of members done
 * after each chunk.
 */
export async function writePopulation(options: PopulationOptions, outDir: string, onProgress?: (membersDone: number) => void): Promise<GenerationSummary> {
  const started = performance.now();
  const generator = new PopulationGenerator(options);
  await mkdir(path.join(outDir, 'truth'), { recursive: true });
  const paths = relativePaths();
  const files = paths.map((p) => new HashedFile(path.join(outDir, p)));
  const buffers = new RowBuffers();
  ENTITY_NAMES.forEach((e) => buffers.add(FILE_INDEX[e], csvHeader(e), 0));
  TRUTH_FILES.forEach((t) => buffers.add(FILE_INDEX[t], TRUTH_HEADERS[t], 0));
  generator.writeReference(buffers);

  const flush = async (all: boolean) => {
    const waits: Promise<void>[] = [];
    for (const { file, bytes } of buffers.take(all)) {
      const w = files[file]!.write(bytes);
      if (w) waits.push(w);
    }
    if (waits.length) await Promise.all(waits);
  };

  for (let from = 1; from <= options.members; from += CHUNK_MEMBERS) {
    const to = Math.min(options.members, from + CHUNK_MEMBERS - 1);
    generator.writeMembers(from, to, buffers);
    await flush(false);
    onProgress?.(to);
  }
  await flush(true);
  const sha256: Record<string, string> = {};
  const digests = await Promise.all(files.map((f) => f.close()));
  paths.forEach((p, i) => (sha256[p] = digests[i]!));

  const institutionsJson = JSON.stringify({ description: 'True institution quality effects on the log-odds of control and case mix', institutions: generator.institutionTruth() }, null, 2) + '\n';
  await writeFile(path.join(outDir, 'truth', 'institutions.json'), institutionsJson);
  sha256['truth/institutions.json'] = createHash('sha256').update(institutionsJson).digest('hex');

  const rowCounts: Record<string, number> = {};
  paths.forEach((p, i) => (rowCounts[p] = buffers.rows[i]!));
  const manifest: PopulationManifest = {
    generator_version: GENERATOR_VERSION,
    seed: options.seed,
    members: options.members,
    defect_rate: options.defectRate,
    start_year: options.startYear,
    end_year: options.endYear,
    row_counts: rowCounts,
    defect_counts: { ...buffers.defects },
    hba1c_mmol_per_mol_rows: buffers.hba1cMmolPerMolRows,
    sha256,
  };
  await writeFile(path.join(outDir, 'truth', 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  let totalRows = 0;
  ENTITY_NAMES.forEach((e) => (totalRows += buffers.rows[FILE_INDEX[e]]!));
  return { manifest, elapsedMs: performance.now() - started, totalRows };
}
