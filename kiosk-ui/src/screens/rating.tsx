/**
 * 好差评 at the end of a visit: five big choices in words (非常满意 … 非常不满意), for the two bad ones a
 * few reasons to tap (a bad rating must be followed up: the reasons tell staff where to start), then
 * 提交评价, thanks, and back to the start with the session cleared. The case rated is the one the
 * visit was about (pickup/rating-target.ts). Skipping is always possible: rating is the citizen's choice.
 */
import { useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { applyKey, type EditState, type Key } from '../keyboard/editing';
import { PinyinKeyboard } from '../keyboard/pinyin-keyboard';
import { explain } from '../api/explain';
import { BigButton } from '../components/button';
import { Notice } from '../components/notice';
import { Screen } from '../components/screen';
import { rateCase, type RatingScore } from '../pickup/api';
import { ratingTarget } from '../pickup/rating-target';
import { speak } from '../speech';
import { resetSession, sessionGeneration } from '../state/session';

/** Best first, as the national 好差评 forms list them. */
export const RATING_CHOICES: readonly { score: RatingScore; label: string }[] = [
  { score: 5, label: '非常满意' },
  { score: 4, label: '满意' },
  { score: 3, label: '基本满意' },
  { score: 2, label: '不满意' },
  { score: 1, label: '非常不满意' },
];

/** The mouth of each face, from a wide smile (5) to a deep frown (1): drawn, as no emoji font is sure to be there. */
const MOUTHS: Record<RatingScore, string> = {
  5: 'M14 27 Q24 38 34 27',
  4: 'M15 29 Q24 35 33 29',
  3: 'M15 31 L33 31',
  2: 'M15 33 Q24 27 33 33',
  1: 'M14 35 Q24 24 34 35',
};

function Face({ score }: { score: RatingScore }) {
  return (
    <svg class="rating-face" viewBox="0 0 48 48" width="64" height="64" aria-hidden="true" focusable="false">
      <circle cx="24" cy="24" r="21" fill="none" stroke="currentColor" stroke-width="3" />
      <circle cx="17" cy="19" r="2.6" fill="currentColor" />
      <circle cx="31" cy="19" r="2.6" fill="currentColor" />
      <path d={MOUTHS[score]} fill="none" stroke="currentColor" stroke-width="3" stroke-linecap="round" />
    </svg>
  );
}

/** Why a visit went badly: short, about what a kiosk visit can go wrong with. */
export const BAD_REASONS: readonly string[] = ['等候时间太长', '操作不方便', '设备出现故障', '说明看不懂', '办理结果不满意', '需要跑多次'];

/** The optional words typed on the on-screen keyboard (the comment holds at most 500 characters in all). */
const COMMENT_MAX = 200;

/** The rating's comment: the reasons tapped and the words typed, for the staff who follow a bad rating up. */
export function ratingComment(reasons: readonly string[], text: string): string | undefined {
  const parts = [...(reasons.length ? [`原因：${reasons.join('、')}`] : []), ...(text.trim() ? [`补充：${text.trim()}`] : [])];
  return parts.length ? parts.join('；') : undefined;
}

type Phase = { state: 'choosing' } | { state: 'sending' } | { state: 'failed'; message: string } | { state: 'thanks'; bad: boolean; already: boolean };

export default function RatingScreen() {
  const [target] = useState(ratingTarget);
  const [score, setScore] = useState<RatingScore>();
  const [reasons, setReasons] = useState<string[]>([]);
  const [phase, setPhase] = useState<Phase>({ state: 'choosing' });
  const [words, setWords] = useState<EditState>({ value: '', pinyin: '', page: 0 });
  const [typing, setTyping] = useState(false);
  const bad = score !== undefined && score <= 2;
  const onKey = (k: Key): void => setWords((w) => applyKey(w, k, { max: COMMENT_MAX }));

  const choose = (s: RatingScore): void => {
    setScore(s);
    if (s > 2) {
      setReasons([]);
      setWords({ value: '', pinyin: '', page: 0 });
      setTyping(false);
    }
    if (phase.state === 'failed') setPhase({ state: 'choosing' });
  };
  const toggle = (r: string): void => setReasons((list) => (list.includes(r) ? list.filter((x) => x !== r) : [...list, r]));

  const submit = async (): Promise<void> => {
    if (!target || score === undefined) return;
    const generation = sessionGeneration();
    setPhase({ state: 'sending' });
    try {
      const comment = bad ? ratingComment(reasons, words.value) : undefined;
      await rateCase(target.caseId, { score, occasion: target.occasion, ...(comment ? { comment } : {}) });
      if (generation !== sessionGeneration()) return;
      setPhase({ state: 'thanks', bad, already: false });
      speak(bad ? '感谢您的评价，我们会尽快核实并改进。' : '感谢您的评价！');
    } catch (err) {
      if (generation !== sessionGeneration()) return;
      // Rated before (a second visit for the same case): the earlier rating stands; nothing to fix here.
      if (err instanceof ApiError && err.code === 'case.alreadyRated') setPhase({ state: 'thanks', bad: false, already: true });
      else setPhase({ state: 'failed', message: explain(err) });
    }
  };

  if (!target) {
    return (
      <Screen id="rating" title="服务评价" back={() => resetSession()}>
        <Notice kind="info" testid="rating-nothing" title="没有需要评价的办件">
          <p>感谢您的使用。</p>
        </Notice>
        <BigButton testid="rating-finish" label="返回首页" onClick={() => resetSession()} />
      </Screen>
    );
  }

  if (phase.state === 'thanks') {
    return (
      <Screen id="rating" title="服务评价" prompt={phase.bad ? '感谢您的评价，我们会尽快核实并改进。' : '感谢您的评价！'}>
        <Notice kind="ok" testid="rating-thanks" title={phase.already ? '您已经评价过这件办件' : '感谢您的评价！'}>
          {phase.already ? (
            <p>每件办件只能评价一次，您之前的评价已经记录。</p>
          ) : phase.bad ? (
            <p>很抱歉给您带来不便。我们会认真核实您反映的问题并尽快改进。</p>
          ) : (
            <p>您的评价已记录，祝您生活愉快！</p>
          )}
        </Notice>
        <BigButton testid="rating-finish" label="返回首页" onClick={() => resetSession()} />
      </Screen>
    );
  }

  const sending = phase.state === 'sending';
  return (
    <Screen id="rating" title="服务评价" prompt="请对本次服务进行评价，点击一个选项后提交。">
      <p class="lead">请对本次服务进行评价</p>
      {target.itemName && <p class="rating-item muted">办理事项：{target.itemName}</p>}
      <div class="rating-choices" role="radiogroup" aria-label="满意程度">
        {RATING_CHOICES.map((c) => (
          <button
            key={c.score}
            type="button"
            role="radio"
            aria-checked={score === c.score}
            class={`rating-choice score-${c.score}${score === c.score ? ' chosen' : ''}`}
            data-testid={`rating-score-${c.score}`}
            disabled={sending}
            onClick={() => choose(c.score)}
          >
            <Face score={c.score} />
            <span class="rating-label">{c.label}</span>
          </button>
        ))}
      </div>
      {bad && (
        <fieldset class="rating-reasons">
          <legend>请告诉我们哪里做得不好（可多选）：</legend>
          <div class="rating-reason-chips">
            {BAD_REASONS.map((r, i) => (
              <button key={r} type="button" class={`rating-reason${reasons.includes(r) ? ' chosen' : ''}`} aria-pressed={reasons.includes(r)} data-testid={`rating-reason-${i + 1}`} disabled={sending} onClick={() => toggle(r)}>
                {r}
              </button>
            ))}
          </div>
          {!typing ? (
            <BigButton testid="rating-comment-open" kind="secondary" label="补充说明（可选）" sub="用屏幕键盘输入" disabled={sending} onClick={() => setTyping(true)} />
          ) : (
            <div class="rating-comment">
              <p id="rating-comment-label" class="rating-comment-label">
                补充说明（可选，最多{COMMENT_MAX}字）：
              </p>
              <div class="rating-comment-input" data-testid="rating-comment" role="textbox" aria-readonly="true" aria-labelledby="rating-comment-label">
                {words.value === '' && words.pinyin === '' ? <span class="muted">请用下方键盘输入</span> : words.value}
                {words.pinyin !== '' && <span class="rating-compose">{words.pinyin}</span>}
              </div>
              <PinyinKeyboard state={words} onKey={onKey} />
              <BigButton testid="rating-comment-close" kind="secondary" label="收起键盘" disabled={sending} onClick={() => setTyping(false)} />
            </div>
          )}
        </fieldset>
      )}
      {phase.state === 'failed' && (
        <Notice kind="error" testid="fault" title="评价没有提交成功">
          <p>{phase.message}</p>
        </Notice>
      )}
      <div class="rating-actions">
        <BigButton
          testid={phase.state === 'failed' ? 'fault-retry' : 'rating-submit'}
          label={sending ? '正在提交…' : phase.state === 'failed' ? '重新提交' : '提交评价'}
          disabled={score === undefined || sending}
          onClick={() => void submit()}
        />
        <BigButton testid="rating-skip" label="不评价，返回首页" kind="secondary" disabled={sending} onClick={() => resetSession()} />
      </div>
    </Screen>
  );
}
