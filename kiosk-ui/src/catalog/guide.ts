/**
 * 智能导办, pure: where a guide stands after the choices made so far (a list of choice indexes from the
 * start), and one step back. The screen keeps the list; the agent has checked the guide's graph (every
 * `next` a question of the guide, no cycles), and a choice that does not fit is answered as `broken`.
 */
import type { Guide, GuideQuestion } from './types';

export type GuideState =
  | { kind: 'question'; question: GuideQuestion; step: number }
  | { kind: 'result'; item: string; reason: string; label: string; step: number }
  | { kind: 'broken' };

export function guideState(guide: Guide, choices: readonly number[]): GuideState {
  const byId = new Map(guide.questions.map((q) => [q.id, q]));
  let question = byId.get(guide.start);
  for (let step = 0; question; step++) {
    if (step === choices.length) return { kind: 'question', question, step };
    const choice = question.choices[choices[step]!];
    if (!choice) return { kind: 'broken' };
    if (choice.item !== undefined) {
      return step === choices.length - 1 ? { kind: 'result', item: choice.item, reason: choice.reason ?? '', label: choice.label, step: step + 1 } : { kind: 'broken' };
    }
    question = choice.next !== undefined ? byId.get(choice.next) : undefined;
  }
  return { kind: 'broken' };
}

/** The choices after going one question back (the empty list stays empty). */
export function guideBack(choices: readonly number[]): number[] {
  return choices.slice(0, -1);
}

/** The labels chosen so far, for the "您的选择" line. */
export function chosenLabels(guide: Guide, choices: readonly number[]): string[] {
  const labels: string[] = [];
  for (let i = 0; i < choices.length; i++) {
    const s = guideState(guide, choices.slice(0, i));
    if (s.kind !== 'question') break;
    const c = s.question.choices[choices[i]!];
    if (!c) break;
    labels.push(c.label);
  }
  return labels;
}
