/**
 * Field-named problems with a case as submitted, in Chinese (the kiosk shows them) and English (tools
 * and logs): "form.idNumber: 身份证号码校验位不正确 / check digit does not match". Values are never
 * repeated in a message: they may be personal.
 */
import { InputError } from '../../base/errors.js';

export interface CaseProblem {
  /** Where, e.g. `form.idNumber`, `materials[1].id`, `applicant.name`. */
  readonly path: string;
  readonly zh: string;
  readonly en: string;
}

export function formatProblem(p: CaseProblem): string {
  return `${p.path}: ${p.zh} / ${p.en}`;
}

/** Every problem found (the kiosk marks each field); the message is the first, with how many more. */
export class CaseValidationError extends InputError {
  constructor(readonly problems: readonly CaseProblem[]) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    super('case.invalid', `${formatProblem(problems[0]!)}${more}`);
  }
}

/** Throws CaseValidationError when there are problems. */
export function throwIfProblems(problems: readonly CaseProblem[]): void {
  if (problems.length > 0) throw new CaseValidationError(problems);
}
