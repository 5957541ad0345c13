/**
 * Choosing an item (from the items screen or a guide's result): the session's itemCode, then the form
 * when the citizen is already identified, else identify first (an application). A different item than
 * before starts its form and materials afresh.
 */
import { getSession, go, update } from '../state/session';

export function chooseItem(code: string): void {
  const s = getSession();
  if (s.itemCode !== code) update({ itemCode: code, form: {}, materials: {} });
  if (s.applicant) go('form');
  else go('identify', { purpose: 'apply' });
}
