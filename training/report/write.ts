/**
 * Writes the report beside a model artifact as `<dir>/report.html` (the I/O edge of this folder;
 * the rendering itself is pure). Written to a temporary name and renamed, so a reader never sees a
 * half-written report.
 */
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderTrainingReport, type TrainingReportInput } from './render.ts';

/** File name of the report inside a model version's folder. */
export const REPORT_FILE = 'report.html';

/** Renders the report and writes it into `dir` (which must exist); returns the file's path. */
export async function writeTrainingReport(dir: string, input: TrainingReportInput): Promise<string> {
  const path = join(dir, REPORT_FILE);
  await writeFile(`${path}.tmp`, renderTrainingReport(input), 'utf8');
  await rename(`${path}.tmp`, path);
  return path;
}
