/**
 * What the form flow keeps beside the session (page memory only, like the session): which values were
 * filled in from the card (to mark them 已从身份证读取 and to fill in only once), the field to open (修改
 * on the review screen), the agent's refusals to show on their fields, and the id of the case being
 * submitted (kept while its content is unchanged, so a retry after a lost answer is the same case).
 * Bound to the session's generation: a reset (回首页, idle time) drops it at once, so nothing of the
 * citizen's stays referenced in the page after their session.
 */
import { sessionGeneration, subscribe } from '../state/session';

export interface FormMemory {
  itemCode?: string;
  /** Field name -> the value filled in from the card. */
  prefilled: Record<string, string>;
  /** The card's values were filled in (once: a value the citizen cleared stays cleared). */
  prefillDone: boolean;
  /** The field the form opens on next. */
  focus?: string;
  /** Field name -> the agent's Chinese refusal, shown until the value changes. */
  agentErrors: Record<string, { message: string; value: string }>;
  /** The agent's refusal of the materials, shown on the materials screen. */
  materialsError?: string;
  /** The case id and the content it was made for. */
  pending?: { id: string; content: string };
}

const fresh = (): FormMemory => ({ prefilled: {}, prefillDone: false, agentErrors: {} });
let memory: FormMemory = fresh();
let generation = sessionGeneration();

subscribe(() => {
  if (sessionGeneration() !== generation) {
    generation = sessionGeneration();
    memory = fresh();
  }
});

/** The memory of this session (fresh after a reset, or when the item changes). */
export function formMemory(itemCode?: string): FormMemory {
  const g = sessionGeneration();
  if (g !== generation || (itemCode !== undefined && memory.itemCode !== undefined && memory.itemCode !== itemCode)) {
    generation = g;
    memory = fresh();
  }
  if (itemCode !== undefined) memory.itemCode = itemCode;
  return memory;
}
