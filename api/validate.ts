import type { z } from 'zod';
import { describeIssues } from '../config/schema';
import { badRequest } from './errors';

/** Parses `value` with `schema` or throws a 400 naming every offending field. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badRequest(`Invalid ${what}`, describeIssues(parsed.error).slice(0, 20));
  return parsed.data;
}
