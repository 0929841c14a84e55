/**
 * Every sub-command module. Add one line per capability; each module exports `register`.
 */
import type { Command } from 'commander';
import { register as contracts } from './contracts.ts';

export type RegisterCommand = (program: Command) => void;

export const commandModules: RegisterCommand[] = [
  contracts,
];
