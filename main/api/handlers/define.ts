import type { z } from 'zod';
import type { AppContext } from '../../app/context';
import type { CallSpec } from '../contract/define';

/** The implementation side of a group of calls: input already parsed by the contract, output checked after. */
export type HandlersFor<T extends Record<string, CallSpec>> = {
  [N in keyof T]: (input: z.output<T[N]['input']>, app: AppContext) => Promise<z.input<T[N]['output']>>;
};
