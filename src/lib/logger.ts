/**
 * Application logger. Logs say what happened, never to whom: no member identifiers, names or
 * values from member records go into a log line (DEVELOPERS.md, security). Fields that could
 * carry them are redacted as a second line of defence.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

export const REDACTED_FIELDS = ['member_id', 'memberId', 'member_ids', 'memberIds', 'req.headers.authorization', 'req.headers["x-api-key"]', 'authorization', 'apiKey'];

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = { level, base: { service: 'stratum' }, redact: { paths: REDACTED_FIELDS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options, pino.destination(2));
}
