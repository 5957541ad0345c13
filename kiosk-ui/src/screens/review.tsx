/**
 * 核对信息: everything on one screen before submitting — the applicant (masked), the item, every form
 * value, every material's state — with 修改 back to the field or the materials, then 提交. The case goes to
 * POST /api/cases with an id made here (a retry after a lost answer is the same case); the agent's refusal
 * of a field goes back to that field; when the agent does not answer, everything stays on this page and
 * 重新提交 tries again. After it: session.submitted and the done screen.
 */
import { useState } from 'preact/hooks';
import { AgentUnreachable, ApiError } from '../api/client';
import { explain } from '../api/explain';
import { BigButton } from '../components/button';
import { Notice } from '../components/notice';
import { Screen } from '../components/screen';
import { caseBody, newCaseId } from '../form/case-body';
import { formErrors } from '../form/field-check';
import { forgetItem } from '../form/load';
import { maskIdNumber, maskName } from '../form/mask';
import { materialChoices } from '../form/materials';
import { formMemory } from '../form/memory';
import { problemsOf, submitCase } from '../form/submit';
import { useFormItem } from '../form/use-form-item';
import { KeyButton } from '../keyboard/keys';
import { getSession, go, sessionGeneration, useSession } from '../state/session';
import { displayValue } from './form';
import { materialStatus } from './materials';

export default function ReviewScreen() {
  const applicant = useSession((s) => s.applicant);
  const values = useSession((s) => s.form);
  const chosen = useSession((s) => s.materials);
  const [attempt, setAttempt] = useState(0);
  const [sending, setSending] = useState(false);
  const { item, regions, fault, setFault } = useFormItem(attempt);

  if (!item || !applicant) {
    return (
      <Screen id="review" title="核对信息" back={() => go('form')}>
        {fault !== undefined ? (
          <>
            <Notice kind="error" testid="fault">
              <p>{fault}</p>
            </Notice>
            <BigButton testid="fault-retry" label="重试" onClick={() => setAttempt(attempt + 1)} />
          </>
        ) : (
          <p class="lead" role="status">
            正在整理您填写的信息…
          </p>
        )}
      </Screen>
    );
  }

  const memory = formMemory(item.code);
  const choices = materialChoices(item.materials, chosen);
  const edit = (field: string): void => {
    memory.focus = field;
    go('form');
  };

  const submit = async (): Promise<void> => {
    const s = getSession();
    const generation = sessionGeneration();
    // Checked again here: a value changed through 修改 and never left its field.
    const errors = formErrors(item.form.fields, s.form);
    const first = item.form.fields.find((f) => errors[f.name] !== undefined);
    if (first) return edit(first.name);
    const draft = caseBody('', item, applicant, s.form, s.materials);
    const content = JSON.stringify({ ...draft, id: undefined });
    if (memory.pending?.content !== content) memory.pending = { id: newCaseId(), content };
    const body = { ...draft, id: memory.pending.id };
    setSending(true);
    setFault(undefined);
    try {
      const submitted = await submitCase(body, item.targetRegion);
      if (sessionGeneration() !== generation) return; // the session ended meanwhile (idle, 回首页)
      memory.pending = undefined;
      go('done', { submitted });
    } catch (err) {
      if (sessionGeneration() !== generation) return;
      setSending(false);
      const problems = problemsOf(err);
      // A refusal the page's own check let through: the catalog changed since the form was opened.
      if (problems.length > 0) forgetItem(item.code);
      const fieldProblems = problems.filter((p) => p.path.startsWith('form.'));
      if (fieldProblems.length > 0) {
        memory.agentErrors = {};
        for (const p of fieldProblems) {
          const name = p.path.slice('form.'.length);
          memory.agentErrors[name] = { message: p.zh, value: s.form[name] ?? '' };
        }
        return edit(fieldProblems[0]!.path.slice('form.'.length));
      }
      const materialProblem = problems.find((p) => p.path.startsWith('materials'));
      if (materialProblem) {
        memory.materialsError = materialProblem.zh;
        return go('materials');
      }
      if (problems.some((p) => p.path.startsWith('applicant'))) {
        setFault('您的身份信息没有通过校验，无法提交。请回首页重新刷身份证或扫码；如仍有问题，请联系工作人员。');
        return;
      }
      if (err instanceof ApiError && err.code === 'store.caseConflict') memory.pending = undefined;
      setFault(err instanceof AgentUnreachable ? '提交没有成功：终端服务暂时没有响应。您填写的内容都还在本页面上，不会丢失。请稍候片刻后点“重新提交”；如仍不成功，请联系工作人员。' : explain(err));
    }
  };

  return (
    <Screen id="review" title="核对信息" back={() => go(item.materials.length > 0 ? 'materials' : 'form')} prompt="请核对您填写的信息，确认无误后点提交">
      <section class="review-section" aria-labelledby="review-who">
        <h2 id="review-who">申请人</h2>
        <dl class="review-list">
          <div>
            <dt>姓名</dt>
            <dd data-testid="review-name">{maskName(applicant.name)}</dd>
          </div>
          <div>
            <dt>证件号码</dt>
            <dd data-testid="review-id">{maskIdNumber(applicant.idNumber)}</dd>
          </div>
        </dl>
      </section>

      <section class="review-section" aria-labelledby="review-item">
        <h2 id="review-item">办理事项</h2>
        <p data-testid="review-item">{item.name}</p>
        <p class="muted">
          {item.department}
          {item.timeLimitDays === 0 ? '，即办' : `，承诺${item.timeLimitDays}个工作日内办结`}
        </p>
      </section>

      <section class="review-section" aria-labelledby="review-form">
        <h2 id="review-form">填写的信息</h2>
        <dl class="review-list">
          {item.form.fields.map((f) => (
            <div key={f.name}>
              <dt>{f.label}</dt>
              <dd>
                <span class="review-value" data-testid={`review-value-${f.name}`}>
                  {(values[f.name] ?? '') === '' ? <span class="muted">未填写</span> : displayValue(f, values[f.name]!, regions)}
                </span>
                <KeyButton testid={`review-edit-${f.name}`} kind="action" label={`修改${f.label}`} onPress={() => edit(f.name)}>
                  修改
                </KeyButton>
              </dd>
            </div>
          ))}
        </dl>
      </section>

      <section class="review-section" aria-labelledby="review-materials">
        <h2 id="review-materials">材料</h2>
        {item.materials.length === 0 ? (
          <p>本事项无需提交材料。</p>
        ) : (
          <>
            <ul class="review-materials">
              {item.materials.map((m) => (
                <li key={m.id} data-testid={`review-material-${m.id}`}>
                  <strong>{m.name}</strong>：{materialStatus(m, choices[m.id]!)}
                </li>
              ))}
            </ul>
            <KeyButton testid="review-edit-materials" kind="action" label="修改材料的提交方式" onPress={() => go('materials')}>
              修改材料
            </KeyButton>
          </>
        )}
      </section>

      {fault !== undefined && (
        <Notice kind="error" testid="fault">
          <p>{fault}</p>
        </Notice>
      )}
      <BigButton
        testid={fault !== undefined ? 'fault-retry' : 'review-submit'}
        label={sending ? '正在提交…' : fault !== undefined ? '重新提交' : '确认无误，提交'}
        disabled={sending}
        onClick={() => void submit()}
      />
    </Screen>
  );
}
