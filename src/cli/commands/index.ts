/**
 * Every sub-command module. Add one line per capability; each module exports `register`.
 */
import type { Command } from 'commander';
import { register as contracts } from './contracts.ts';
import { register as generate } from './generate.ts';
import { register as measure } from './measure.ts';
import { register as bench } from './bench.ts';
import { register as db } from './db.ts';
import { register as evaluate } from './evaluate.ts';
import { register as riskScore } from './risk-score.ts';
import { register as train } from './train.ts';
import { register as trainRiskAdjustment } from './train-risk-adjustment.ts';
import { register as models } from './models.ts';
import { register as start } from './start.ts';
import { register as performance } from './performance.ts';

export type RegisterCommand = (program: Command) => void;

export const commandModules: RegisterCommand[] = [
  contracts,
  generate,
  measure,
  db,
  bench,
  evaluate,
  riskScore,
  train,
  trainRiskAdjustment,
  models,
  start,
  performance,
];
