/**
 * 智能导办: for a citizen who does not know the item's name. First the guides (我要开证明, 异地就医…), then one
 * question at a time with big choices and 上一步, and at the end the item found, why it fits, and
 * 开始办理 (identify, or the form when already identified). The guides come with the catalog
 * (GET /api/catalog), checked by the agent (every answer an item of the catalog, no loops).
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client';
import { explain } from '../api/explain';
import { BigButton } from '../components/button';
import { Notice } from '../components/notice';
import { Screen } from '../components/screen';
import { chooseItem } from '../catalog/choose';
import { outcomeLabel } from '../catalog/group';
import { chosenLabels, guideBack, guideState } from '../catalog/guide';
import { loadCatalog } from '../catalog/load';
import type { CatalogList, Guide } from '../catalog/types';
import { speak } from '../speech';
import { go } from '../state/session';

export default function GuideScreen() {
  const [catalog, setCatalog] = useState<CatalogList | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [attempt, setAttempt] = useState(0);
  const [guide, setGuide] = useState<Guide | undefined>();
  const [choices, setChoices] = useState<number[]>([]);

  useEffect(() => {
    let live = true;
    setError(undefined);
    loadCatalog().then(
      (c) => live && setCatalog(c),
      (err: unknown) => live && setError(explain(err)),
    );
    return () => {
      live = false;
    };
  }, [attempt]);

  const state = guide ? guideState(guide, choices) : undefined;
  // Each new question (or the answer) is read out in 适老模式.
  useEffect(() => {
    if (state?.kind === 'question') speak(state.question.text);
    else if (state?.kind === 'result') speak(`为您找到：${catalog?.items.find((i) => i.code === state.item)?.name ?? ''}。${state.reason}`);
  }, [guide, choices.length]);

  const open = (g: Guide): void => {
    setGuide(g);
    setChoices([]);
  };
  const back = (): void => {
    if (choices.length === 0) setGuide(undefined);
    else setChoices(guideBack(choices));
  };

  let body;
  if (error !== undefined) {
    body = (
      <div class="guide-fault">
        <Notice kind="error" testid="fault" title="智能导办暂时打不开">
          <p>{error}</p>
        </Notice>
        <BigButton testid="fault-retry" label="重试" onClick={() => setAttempt((n) => n + 1)} />
      </div>
    );
  } else if (!catalog) {
    body = (
      <p class="lead" data-testid="guide-loading" role="status">
        正在打开智能导办…
      </p>
    );
  } else if (!guide || !state) {
    body = (
      <>
        <p class="lead">您想办什么事？请选择最接近的一项</p>
        {catalog.guides.length === 0 && (
          <Notice kind="info" testid="guide-none">
            <p>本机暂无智能导办，请按部门或主题查找事项。</p>
          </Notice>
        )}
        <div class="guide-list">
          {catalog.guides.map((g) => (
            <BigButton key={g.code} testid={`guide-${g.code}`} class="guide-tile" label={g.name} {...(g.summary ? { sub: g.summary } : {})} onClick={() => open(g)} />
          ))}
        </div>
        <BigButton testid="guide-all-items" kind="secondary" label="查看全部事项" onClick={() => go('items')} />
      </>
    );
  } else {
    const labels = chosenLabels(guide, choices);
    body = (
      <>
        <p class="guide-name">{guide.name}</p>
        {labels.length > 0 && (
          <p class="guide-path muted" data-testid="guide-path">
            您的选择：{labels.join(' › ')}
          </p>
        )}
        {state.kind === 'question' && (
          <section class="guide-step" aria-labelledby="guide-question">
            <h2 class="guide-question" id="guide-question" data-testid="guide-question">
              <span class="guide-step-no">第 {state.step + 1} 问</span>
              {state.question.text}
            </h2>
            <div class="guide-choices">
              {state.question.choices.map((c, i) => (
                <BigButton key={c.label} testid={`guide-choice-${i}`} kind="secondary" class="guide-choice" label={c.label} onClick={() => setChoices([...choices, i])} />
              ))}
            </div>
          </section>
        )}
        {state.kind === 'result' && <GuideResult catalog={catalog} item={state.item} reason={state.reason} onRestart={() => setChoices([])} />}
        {state.kind === 'broken' && (
          <div class="guide-fault">
            <Notice kind="error" testid="fault" title="这条导办暂时无法继续">
              <p>事项目录可能刚刚更新。请重新开始，或按部门、主题查找事项。</p>
            </Notice>
            <BigButton testid="fault-retry" label="重新开始" onClick={() => setChoices([])} />
          </div>
        )}
        <BigButton testid="guide-back" kind="secondary" label={choices.length === 0 ? '换一个问题' : '上一步'} onClick={back} />
      </>
    );
  }
  return (
    <Screen id="guide" title="智能导办" back={() => go('items')} prompt="智能导办：回答几个简单问题，为您找到要办的事项。">
      {body}
    </Screen>
  );
}

interface Material {
  id: string;
  name: string;
  required: boolean;
  form: string;
  alternatives?: string[];
}

/** What to bring (题本 lead to the item and its materials): GET /api/catalog/{code}; nothing shown if it cannot be asked. */
function useMaterials(code: string): Material[] | undefined {
  const [materials, setMaterials] = useState<Material[] | undefined>();
  useEffect(() => {
    let live = true;
    setMaterials(undefined);
    api.get<{ materials?: Material[] }>(`/api/catalog/${encodeURIComponent(code)}`).then(
      (it) => live && setMaterials(Array.isArray(it.materials) ? it.materials : []),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [code]);
  return materials;
}

function GuideResult({ catalog, item, reason, onRestart }: { catalog: CatalogList; item: string; reason: string; onRestart: () => void }) {
  const found = catalog.items.find((i) => i.code === item);
  const materials = useMaterials(item);
  if (!found) {
    return (
      <div class="guide-fault">
        <Notice kind="error" testid="fault" title="没有找到这个事项">
          <p>事项目录可能刚刚更新。请重新选择，或按部门、主题查找事项。</p>
        </Notice>
        <BigButton testid="fault-retry" label="重新选择" onClick={onRestart} />
      </div>
    );
  }
  return (
    <section class="guide-result" data-testid="guide-result" aria-labelledby="guide-result-name">
      <p class="guide-result-title">为您找到的事项</p>
      <h2 class="guide-result-name" id="guide-result-name" data-testid="guide-result-name">
        {found.name}
      </h2>
      <p class="guide-result-dept">{found.department}</p>
      <p>
        <span class={`item-tag${found.issuable ? ' here' : ''}`}>{outcomeLabel(found)}</span>
      </p>
      <p class="guide-reason" data-testid="guide-reason">
        {reason}
      </p>
      {materials !== undefined && (
        <div class="guide-materials" data-testid="guide-materials">
          <p class="guide-materials-title">需要准备的材料</p>
          {materials.length === 0 ? (
            <p>无需提交材料，刷身份证即可办理。</p>
          ) : (
            <ul>
              {materials.map((m) => (
                <li key={m.id}>
                  {m.name}（{[m.form, ...(m.alternatives ?? [])].join('或')}）{m.required ? '' : '，可选'}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div class="guide-result-actions">
        <BigButton testid="guide-start" label="开始办理" onClick={() => chooseItem(found.code)} />
        <BigButton testid="guide-restart" kind="secondary" label="重新选择" onClick={onRestart} />
      </div>
    </section>
  );
}
