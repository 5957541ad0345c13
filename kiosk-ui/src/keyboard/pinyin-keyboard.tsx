/**
 * The Chinese keyboard: type a syllable in pinyin, pick its character from the candidates (a page of
 * eight, with ‹ › for more); digits and the signs addresses use are typed directly, and 中/英 switches the
 * letter keys to capital letters (A座, B栋). Letters that cannot continue the syllable are dimmed.
 */
import { useState } from 'preact/hooks';
import { nextLetters } from '../ime/pinyin';
import { candidatePage, type EditState, type Key } from './editing';
import { EditKeys, KeyButton } from './keys';
import { LETTER_ROWS } from './letters';

/** Signs of addresses and names: 1-2-301, 3#楼, （东区）, 阿卜杜·热合曼. */
export const SIGNS = ['-', '#', '（', '）', '、', '·'] as const;
const SIGN_LABEL: Record<string, string> = { '-': '短横线', '#': '井号', '（': '左括号', '）': '右括号', '、': '顿号', '·': '间隔号' };

export function PinyinKeyboard({ state, onKey }: { state: EditState; onKey: (k: Key) => void }) {
  const [latin, setLatin] = useState(false);
  const page = candidatePage(state);
  const allowed = nextLetters(state.pinyin);
  const char = (c: string, label?: string) => (
    <KeyButton testid={`kb-key-${c}`} key={c} label={label} onPress={() => onKey({ type: 'char', char: c })}>
      {c}
    </KeyButton>
  );
  return (
    <div class="keyboard pinyin" data-testid="kb-pinyin-keyboard" role="group" aria-label="拼音键盘">
      <div class="kb-compose">
        <span class="kb-pinyin" data-testid="kb-pinyin" aria-live="polite">
          {state.pinyin === '' ? (latin ? '英文字母' : '请输入拼音') : state.pinyin}
        </span>
        <div class="kb-candidates" role="group" aria-label="候选字">
          <KeyButton testid="kb-cand-prev" kind="action" label="上一页候选字" disabled={!page.hasPrev} onPress={() => onKey({ type: 'page', delta: -1 })}>
            ‹
          </KeyButton>
          {page.list.map((c, i) => (
            <KeyButton testid={`kb-cand-${i}`} key={`${state.pinyin}-${state.page}-${i}`} kind="candidate" onPress={() => onKey({ type: 'pick', char: c })}>
              {c}
            </KeyButton>
          ))}
          {Array.from({ length: Math.max(0, 8 - page.list.length) }, (_, i) => (
            <span class="kb-gap candidate" key={`gap-${i}`} aria-hidden="true" />
          ))}
          <KeyButton testid="kb-cand-next" kind="action" label="下一页候选字" disabled={!page.hasNext} onPress={() => onKey({ type: 'page', delta: 1 })}>
            ›
          </KeyButton>
        </div>
      </div>
      <div class="kb-row">{[...'1234567890'].map((c) => char(c))}</div>
      {LETTER_ROWS.map((row) => (
        <div class="kb-row" key={row}>
          {[...row].map((upper) => {
            const letter = upper.toLowerCase();
            return latin ? (
              char(upper)
            ) : (
              <KeyButton testid={`kb-py-${letter}`} key={letter} disabled={!allowed.has(letter)} onPress={() => onKey({ type: 'pinyin', letter })}>
                {letter}
              </KeyButton>
            );
          })}
        </div>
      ))}
      <div class="kb-row">
        <KeyButton testid="kb-mode" kind="action" label={latin ? '切换到中文拼音' : '切换到英文字母'} pressed={latin} onPress={() => setLatin(!latin)}>
          {latin ? '中文' : '英文'}
        </KeyButton>
        {SIGNS.map((s) => char(s, SIGN_LABEL[s]))}
      </div>
      <EditKeys onKey={onKey} />
    </div>
  );
}
