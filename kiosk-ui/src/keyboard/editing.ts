/**
 * What a key on the on-screen keyboards does to the value being typed: pure, so each keyboard (keypad,
 * letters, pinyin) edits the same way and the tests need no browser. A pinyin key only grows the
 * composing syllable; picking a candidate puts its character into the value.
 */
import { MAX_SYLLABLE, candidates, isPinyinPrefix } from '../ime/pinyin';

export interface EditState {
  readonly value: string;
  /** Pinyin letters typed and not yet turned into a character. */
  readonly pinyin: string;
  /** The candidate page shown (0 first). */
  readonly page: number;
}

export type Key =
  | { readonly type: 'char'; readonly char: string }
  | { readonly type: 'pinyin'; readonly letter: string }
  | { readonly type: 'pick'; readonly char: string }
  | { readonly type: 'page'; readonly delta: number }
  | { readonly type: 'backspace' }
  | { readonly type: 'clear' };

export interface EditLimits {
  /** Most characters the value may hold (the field's max for text). */
  readonly max?: number;
}

/** How many candidates one page shows. */
export const CANDIDATES_PER_PAGE = 8;

const length = (s: string): number => [...s].length;

function append(state: EditState, text: string, limits: EditLimits): EditState {
  if (limits.max !== undefined && length(state.value) + length(text) > limits.max) return state;
  return { ...state, value: state.value + text };
}

export function applyKey(state: EditState, key: Key, limits: EditLimits = {}): EditState {
  switch (key.type) {
    case 'char':
      return append(state, key.char, limits);
    case 'pinyin': {
      const next = state.pinyin + key.letter.toLowerCase();
      if (next.length > MAX_SYLLABLE || !isPinyinPrefix(next)) return state;
      return { ...state, pinyin: next, page: 0 };
    }
    case 'pick': {
      const picked = append(state, key.char, limits);
      return picked === state ? state : { ...picked, pinyin: '', page: 0 };
    }
    case 'page': {
      const pages = Math.max(1, Math.ceil(candidates(state.pinyin).length / CANDIDATES_PER_PAGE));
      return { ...state, page: Math.min(pages - 1, Math.max(0, state.page + key.delta)) };
    }
    case 'backspace':
      if (state.pinyin !== '') return { ...state, pinyin: state.pinyin.slice(0, -1), page: 0 };
      return { ...state, value: [...state.value].slice(0, -1).join('') };
    case 'clear':
      return { value: '', pinyin: '', page: 0 };
  }
}

/** The candidates of the page shown, and whether there are pages before and after it. */
export function candidatePage(state: EditState): { list: string[]; hasPrev: boolean; hasNext: boolean } {
  const all = candidates(state.pinyin);
  const start = state.page * CANDIDATES_PER_PAGE;
  return { list: all.slice(start, start + CANDIDATES_PER_PAGE), hasPrev: state.page > 0, hasNext: start + CANDIDATES_PER_PAGE < all.length };
}
