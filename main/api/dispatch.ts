import type { z } from 'zod';
import type { AppContext } from '../app/context';
import { AppError, toErrorShape } from '../common/errors';
import { contract, isCallName, type CallName, type CallResult } from './contract';
import { handlers, type Handlers } from './handlers';

/**
 * The single entry for both transports: the call must exist, its input must pass the contract, and the output
 * is parsed again on the way out so nothing the schema does not declare (a secret) can leak to a UI.
 */
export async function dispatch(app: AppContext, name: string, rawInput: unknown): Promise<CallResult> {
  try {
    if (!isCallName(name)) {
      throw new AppError('UNKNOWN_CALL', `There is no API call named "${name.slice(0, 80)}".`);
    }
    const spec = contract[name];
    const parsed = (spec.input as z.ZodType).safeParse(rawInput ?? {});
    if (!parsed.success) {
      throw new AppError('INVALID_INPUT', `Invalid input for ${name}: ${describeIssues(parsed.error)}`, {
        details: { issues: parsed.error.issues.slice(0, 10).map((issue) => ({ path: issue.path.join('.'), message: issue.message })) },
      });
    }
    const handler = handlers[name] as Handlers[CallName] as (input: unknown, app: AppContext) => Promise<unknown>;
    const value = await handler(parsed.data, app);
    const checked = (spec.output as z.ZodType).safeParse(value);
    if (!checked.success) {
      throw new AppError('INVALID_OUTPUT', `The app produced an invalid answer for ${name}.`, {
        details: { issues: checked.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.')}: ${issue.message}`) },
      });
    }
    return { ok: true, value: checked.data };
  } catch (error) {
    return { ok: false, error: toErrorShape(error) };
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}
