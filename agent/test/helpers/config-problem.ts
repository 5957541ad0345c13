import { expect } from 'vitest';
import { InputError } from '../../../base/errors.js';
import { parseConfig } from '../../config/config.js';

/** The message parseConfig refuses `value` with (an InputError); throws if it accepts it. */
export function configProblem(value: unknown): string {
  try {
    parseConfig(value);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error('accepted');
}
