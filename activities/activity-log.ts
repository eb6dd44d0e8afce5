import { log } from '@temporalio/activity';

/** The activity logger, or the console when called outside an activity (tests call some activities directly). */
export function activityLog(level: 'info' | 'warn', message: string, meta?: Record<string, unknown>): void {
  try {
    log[level](message, meta);
  } catch {
    console[level](message, meta ?? '');
  }
}
