/**
 * 材料: what the item requires (name, the form the department asks for, required or not), what is already
 * satisfied (an electronic licence fetched with the citizen's consent), what must be handed in later at
 * the window (待补交), and what an optional material may simply go without. The choices are the API's
 * material provisions (form/materials.ts).
 */
import { useEffect, useState } from 'preact/hooks';
import { explain } from '../api/explain';
import { BigButton } from '../components/button';
import { Notice } from '../components/notice';
import { Screen } from '../components/screen';
import { loadItem } from '../form/load';
import { formMemory } from '../form/memory';
import { acceptsElectronic, choicesFor, materialChoices, paperForms, type MaterialChoice } from '../form/materials';
import type { CatalogItem, MaterialSpec } from '../form/schema';
import { KeyButton } from '../keyboard/keys';
import { getSession, go, update, useSession } from '../state/session';

const CHOICE_LABEL: Record<MaterialChoice, string> = { electronic: '调取电子证照', later: '稍后补交', none: '不提供' };

/** What the material's state means for the citizen, in a few words. */
export function materialStatus(spec: MaterialSpec, choice: MaterialChoice): string {
  if (choice === 'electronic') return '已满足：经您授权调取电子证照，无需提交纸质材料';
  if (choice === 'later') return `待补交：请将${paperForms(spec).join('或') || '材料'}交到政务服务中心窗口`;
  return '不提供（此材料为选交）';
}

export default function MaterialsScreen() {
  const itemCode = useSession((s) => s.itemCode);
  const chosen = useSession((s) => s.materials);
  const [item, setItem] = useState<CatalogItem>();
  const [fault, setFault] = useState<string>();
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!itemCode) return go('items');
    let live = true;
    setFault(undefined);
    loadItem(itemCode)
      .then((it) => live && setItem(it))
      .catch((err: unknown) => live && setFault(explain(err)));
    return () => {
      live = false;
    };
  }, [itemCode, attempt]);

  if (fault !== undefined) {
    return (
      <Screen id="materials" title="提交材料" back={() => go('form')}>
        <Notice kind="error" testid="fault">
          <p>{fault}</p>
        </Notice>
        <BigButton testid="fault-retry" label="重试" onClick={() => setAttempt(attempt + 1)} />
      </Screen>
    );
  }
  if (!item) {
    return (
      <Screen id="materials" title="提交材料" back={() => go('form')}>
        <p class="lead" role="status">
          正在读取材料清单…
        </p>
      </Screen>
    );
  }

  const choices = materialChoices(item.materials, chosen);
  const count = (c: MaterialChoice): number => item.materials.filter((m) => choices[m.id] === c).length;
  const agentError = formMemory(item.code).materialsError;
  const choose = (spec: MaterialSpec, c: MaterialChoice): void => {
    formMemory(item.code).materialsError = undefined;
    update({ materials: { ...getSession().materials, [spec.id]: c } });
  };

  return (
    <Screen id="materials" title="提交材料" back={() => go('form')} prompt="请确认需要提交的材料">
      <p class="form-item">{item.name}</p>
      {agentError && (
        <Notice kind="error" testid="materials-error">
          <p>{agentError}</p>
        </Notice>
      )}
      {item.materials.length === 0 ? (
        <Notice kind="ok" testid="materials-none">
          <p>本事项无需提交材料。</p>
        </Notice>
      ) : (
        <Notice kind="info" testid="materials-summary">
          <p>
            共{item.materials.length}项材料：已满足{count('electronic')}项，待补交{count('later')}项
            {count('none') > 0 ? `，不提供${count('none')}项` : ''}。
          </p>
          {item.materials.some(acceptsElectronic) && <p>选择“调取电子证照”即表示您同意本机向发证部门调取该证照，用于本次办理。</p>}
        </Notice>
      )}
      <ul class="material-list">
        {item.materials.map((spec) => {
          const choice = choices[spec.id]!;
          return (
            <li class={`material ${choice}`} key={spec.id} data-testid={`material-${spec.id}`}>
              <div class="material-head">
                <h2 class="material-name">{spec.name}</h2>
                <span class={`material-need${spec.required ? ' required' : ''}`}>{spec.required ? '必交' : '选交'}</span>
              </div>
              <p class="material-form">
                要求：{spec.form}
                {spec.alternatives && spec.alternatives.length > 0 ? `（也可提供${spec.alternatives.join('、')}）` : ''}
              </p>
              <div class="material-choices" role="group" aria-label={`${spec.name}的提交方式`}>
                {choicesFor(spec).map((c) => (
                  <KeyButton testid={`material-${spec.id}-${c}`} key={c} kind="candidate" pressed={choice === c} onPress={() => choose(spec, c)}>
                    {choice === c ? `✓ ${CHOICE_LABEL[c]}` : CHOICE_LABEL[c]}
                  </KeyButton>
                ))}
              </div>
              <p class="material-status" data-testid={`material-${spec.id}-status`}>
                {materialStatus(spec, choice)}
              </p>
            </li>
          );
        })}
      </ul>
      {count('later') > 0 && (
        <Notice kind="warn" testid="materials-later">
          <p>待补交的材料不影响现在提交申请。请在办件受理前带上这些材料到政务服务中心窗口补交，回执上会列出待补交的必交材料。</p>
        </Notice>
      )}
      <BigButton testid="materials-next" label="下一步：核对信息" onClick={() => go('review')} />
    </Screen>
  );
}
