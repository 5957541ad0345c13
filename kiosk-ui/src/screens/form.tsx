/**
 * 填写信息: the item's form, one field open at a time with the on-screen input that fits it (keypad,
 * letters, pinyin, date, choices, regions), the list of all fields above it (hidden in 适老模式, which shows
 * one field and "第2项，共5项"). Values the card gave are filled in and marked 已从身份证读取. A field's error
 * shows next to it in plain Chinese; 下一项 refuses to leave a field that is wrong, 下一步 refuses to leave
 * the form while any is. The agent's own refusal at submit comes back here, on its field.
 */
import { useEffect, useState } from 'preact/hooks';
import { BigButton } from '../components/button';
import { Notice } from '../components/notice';
import { Screen } from '../components/screen';
import { fieldError, formErrors } from '../form/field-check';
import { formMemory } from '../form/memory';
import { prefill } from '../form/prefill';
import { useFormItem } from '../form/use-form-item';
import { regionLabel } from '../form/regions';
import type { FormField, Region } from '../form/schema';
import { Choices } from '../keyboard/choices';
import { spokenDate } from '../keyboard/date';
import { DatePicker } from '../keyboard/date-picker';
import { applyKey, type EditState, type Key } from '../keyboard/editing';
import { keyboardFor } from '../keyboard/field-keyboard';
import { Keypad } from '../keyboard/keypad';
import { LettersKeyboard } from '../keyboard/letters';
import { PinyinKeyboard } from '../keyboard/pinyin-keyboard';
import { RegionPicker } from '../keyboard/region-picker';
import { speak } from '../speech';
import { getSession, go, update, useSession } from '../state/session';

/** How a value reads on screen (a region by name, a date in words). */
export function displayValue(field: FormField, value: string, regions: readonly Region[]): string {
  if (value === '') return '';
  if (field.type === 'region') return regionLabel(regions, value);
  if (field.type === 'date') return spokenDate(value);
  return value;
}

/** What the empty input says: how this field is filled in. */
function placeholder(field: FormField): string {
  if (field.type === 'date') return '尚未选择日期';
  if (field.type === 'select' || field.type === 'region') return '请在下方选择';
  return field.patternHint ? `请输入${field.patternHint}` : '请用下方键盘输入';
}

function setValue(name: string, value: string): void {
  update({ form: { ...getSession().form, [name]: value } });
}

/** The field's error to show: the agent's refusal while the value is what it refused, else the page's own check. */
function errorOf(field: FormField, value: string): string | undefined {
  const agent = formMemory().agentErrors[field.name];
  if (agent && agent.value === value) return agent.message;
  return fieldError(field, value);
}

export default function FormScreen() {
  const applicant = useSession((s) => s.applicant);
  const values = useSession((s) => s.form);
  const elder = useSession((s) => s.elder);
  const [attempt, setAttempt] = useState(0);
  const [active, setActive] = useState(0);
  /** Fields whose error is shown (left once, or checked by 下一步). */
  const [checked, setChecked] = useState<Record<string, boolean>>({});
  const [compose, setCompose] = useState<{ pinyin: string; page: number }>({ pinyin: '', page: 0 });
  const [blocked, setBlocked] = useState<number>();

  const { item, regions, fault } = useFormItem(attempt, (it) => {
    const memory = formMemory(it.code);
    // Fill in from the card once per session and item: a value the citizen cleared stays cleared.
    if (!memory.prefillDone && applicant) {
      const filled = prefill(it.form.fields, applicant, getSession().form);
      memory.prefilled = filled;
      memory.prefillDone = true;
      if (Object.keys(filled).length > 0) update({ form: { ...getSession().form, ...filled } });
    }
    const focus = memory.focus !== undefined ? it.form.fields.findIndex((f) => f.name === memory.focus) : -1;
    if (focus >= 0) {
      setActive(focus);
      memory.focus = undefined;
      setChecked(Object.fromEntries(it.form.fields.map((f) => [f.name, true])));
    }
  });

  const fields = item?.form.fields ?? [];
  const field = fields[active];

  useEffect(() => {
    if (field) speak(`请${field.type === 'select' || field.type === 'region' || field.type === 'date' ? '选择' : '填写'}${field.label}`);
    setCompose({ pinyin: '', page: 0 });
  }, [field?.name]);

  if (fault !== undefined) {
    return (
      <Screen id="form" title="填写信息" back={() => go('items')}>
        <Notice kind="error" testid="fault">
          <p>{fault}</p>
        </Notice>
        <BigButton testid="fault-retry" label="重试" onClick={() => setAttempt(attempt + 1)} />
      </Screen>
    );
  }
  if (!item || !field) {
    return (
      <Screen id="form" title="填写信息" back={() => go('items')}>
        <p class="lead" role="status">
          正在打开表单…
        </p>
      </Screen>
    );
  }

  const memory = formMemory(item.code);
  const value = values[field.name] ?? '';
  const error = checked[field.name] ? errorOf(field, value) : undefined;

  const leave = (to: number): void => {
    if (to === active) return;
    setChecked({ ...checked, [field.name]: true });
    setActive(to);
  };
  const next = (): void => {
    if (errorOf(field, value) !== undefined) {
      setChecked({ ...checked, [field.name]: true });
      setBlocked((blocked ?? 0) + 1);
      return;
    }
    setBlocked(undefined);
    leave(active + 1);
  };
  const finish = (): void => {
    const current = getSession().form;
    const errors = formErrors(fields, current);
    for (const f of fields) {
      const agent = memory.agentErrors[f.name];
      if (agent && agent.value === (current[f.name] ?? '')) errors[f.name] = agent.message;
    }
    const first = fields.findIndex((f) => errors[f.name] !== undefined);
    setChecked(Object.fromEntries(fields.map((f) => [f.name, true])));
    if (first >= 0) {
      setActive(first);
      setBlocked((blocked ?? 0) + 1);
      return;
    }
    go(item.materials.length > 0 ? 'materials' : 'review');
  };
  const onKey = (k: Key): void => {
    const state: EditState = { value, ...compose };
    const limits = field.type === 'text' && field.max !== undefined ? { max: field.max } : {};
    const after = applyKey(state, k, limits);
    setCompose({ pinyin: after.pinyin, page: after.page });
    if (after.value !== value) setValue(field.name, after.value);
  };

  const keyboard = keyboardFor(field);
  const prefilled = (f: FormField): boolean => memory.prefilled[f.name] !== undefined && memory.prefilled[f.name] === (values[f.name] ?? '');
  const last = active === fields.length - 1;
  const errorCount = fields.filter((f) => errorOf(f, values[f.name] ?? '') !== undefined).length;

  return (
    <Screen id="form" title="填写信息" back={() => go('items')} prompt={`请填写${item.name}的信息`}>
      <p class="form-item" data-testid="form-item">
        {item.name}
      </p>
      {!elder && (
        <ol class="form-list" data-testid="form-list" aria-label="需要填写的信息">
          {fields.map((f, i) => {
            const v = values[f.name] ?? '';
            const e = checked[f.name] ? errorOf(f, v) : undefined;
            return (
              <li key={f.name}>
                <button
                  type="button"
                  class={`form-row${i === active ? ' active' : ''}${e ? ' invalid' : ''}`}
                  data-testid={`form-field-${f.name}`}
                  aria-current={i === active ? 'step' : undefined}
                  onClick={() => leave(i)}
                >
                  <span class="form-label">
                    {f.label}
                    {f.required && <span class="form-required">（必填）</span>}
                  </span>
                  <span class="form-value" data-testid={`form-field-${f.name}-value`}>
                    {v === '' ? <span class="muted">未填写</span> : displayValue(f, v, regions)}
                  </span>
                  {prefilled(f) && (
                    <span class="form-badge" data-testid={`form-field-${f.name}-prefilled`}>
                      已从{applicant?.source === 'code' ? '电子身份码' : '身份证'}读取
                    </span>
                  )}
                  {e && (
                    <span class="form-row-error" data-testid={`form-field-${f.name}-error`}>
                      {e}
                    </span>
                  )}
                </button>
              </li>
            );
          })}
        </ol>
      )}

      <section class="form-editor" data-testid="form-editor" aria-labelledby="form-editor-label">
        <div class="form-editor-head">
          <h2 id="form-editor-label" class="form-editor-label" data-testid="form-editor-label">
            {field.label}
            {field.required ? <span class="form-required">（必填）</span> : <span class="muted">（选填）</span>}
          </h2>
          <span class="form-progress" data-testid="form-progress">
            第{active + 1}项，共{fields.length}项
          </span>
        </div>
        <div
          class={`form-input${error ? ' invalid' : ''}`}
          data-testid="form-input"
          role="textbox"
          aria-readonly="true"
          aria-labelledby="form-editor-label"
          aria-describedby={error ? 'form-error' : undefined}
          aria-invalid={error ? 'true' : undefined}
        >
          {value === '' && compose.pinyin === '' ? <span class="muted">{placeholder(field)}</span> : displayValue(field, value, regions)}
          {compose.pinyin !== '' && <span class="form-compose">{compose.pinyin}</span>}
        </div>
        {prefilled(field) && (
          <p class="form-badge" data-testid="form-prefilled">
            已从{applicant?.source === 'code' ? '电子身份码' : '身份证'}读取，如有变化请修改
          </p>
        )}
        {error && (
          <p class="form-error" id="form-error" data-testid="form-error" role="alert" key={blocked}>
            {error}
          </p>
        )}
        {keyboard.kind === 'keypad' && <Keypad extras={keyboard.extras} onKey={onKey} />}
        {keyboard.kind === 'letters' && <LettersKeyboard digits={keyboard.digits} onKey={onKey} />}
        {keyboard.kind === 'pinyin' && <PinyinKeyboard state={{ value, ...compose }} onKey={onKey} />}
        {keyboard.kind === 'date' && <DatePicker value={value} onChange={(v) => setValue(field.name, v)} />}
        {keyboard.kind === 'select' && <Choices options={keyboard.options} value={value} onChange={(v) => setValue(field.name, v)} />}
        {keyboard.kind === 'region' && <RegionPicker key={field.name} regions={regions} value={value} onChange={(v) => setValue(field.name, v)} />}
      </section>

      <div class="form-nav">
        <BigButton testid="form-prev" kind="secondary" label="上一项" disabled={active === 0} onClick={() => leave(active - 1)} />
        {last ? (
          <BigButton testid="form-done" label={item.materials.length > 0 ? '下一步：材料' : '下一步：核对'} onClick={finish} />
        ) : (
          <BigButton testid="form-next" label="下一项" onClick={next} />
        )}
      </div>
      {!last && (
        <BigButton testid="form-done" kind="secondary" label="填写完成，下一步" sub={errorCount > 0 ? `还有${errorCount}项需要填写或修改` : undefined} onClick={finish} />
      )}
    </Screen>
  );
}
