/**
 * Every sub-command module. Add one line per capability; each module exports `register`.
 */
import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

export const commandModules: RegisterCommand[] = [];
