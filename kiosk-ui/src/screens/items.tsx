/**
 * 选择事项: every item of the catalog by department (按部门) or by theme (按主题), and a search: the on-screen
 * A-Z keyboard types pinyin initials (YDJY finds 异地就医…; letters that lead nowhere are dimmed), the box
 * also matches a piece of the name. Each tile says the item, its department and whether it ends here
 * (当场出证). Choosing one goes to identify, or to the form when the citizen is identified already.
 * 智能导办 helps those who do not know the item's name.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { explain } from '../api/explain';
import { BigButton } from '../components/button';
import { Notice } from '../components/notice';
import { Screen } from '../components/screen';
import { chooseItem } from '../catalog/choose';
import { groupItems, outcomeLabel, type GroupBy } from '../catalog/group';
import { loadCatalog } from '../catalog/load';
import { isInitialsQuery, nextLetters, searchItems } from '../catalog/search';
import type { CatalogList, ItemSummary } from '../catalog/types';
import { go, useSession } from '../state/session';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
const TABS: { id: GroupBy; label: string }[] = [
  { id: 'department', label: '按部门' },
  { id: 'category', label: '按主题' },
];

export default function ItemsScreen() {
  const elder = useSession((s) => s.elder);
  const [catalog, setCatalog] = useState<CatalogList | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [tab, setTab] = useState<GroupBy>('department');
  const [query, setQuery] = useState('');
  const [attempt, setAttempt] = useState(0);
  /** 适老模式 shows the letter keyboard only when asked (a simpler screen). */
  const [showKeys, setShowKeys] = useState(false);

  useEffect(() => {
    let live = true;
    setError(undefined);
    loadCatalog(true).then(
      (c) => live && setCatalog(c),
      (err: unknown) => live && setError(explain(err)),
    );
    return () => {
      live = false;
    };
  }, [attempt]);

  const items = catalog?.items ?? [];
  const results = useMemo(() => searchItems(items, query), [items, query]);
  const letters = useMemo(() => (isInitialsQuery(query) || query === '' ? nextLetters(items, query.replace(/\s+/g, '')) : new Set<string>()), [items, query]);
  const searching = query.trim() !== '';
  const type = (letter: string): void => setQuery((q) => (isInitialsQuery(q) || q === '' ? q.replace(/\s+/g, '') : '') + letter);

  return (
    <Screen id="items" title="选择事项" back={() => go('start')} prompt="请选择要办理的事项，可以按部门、按主题查找，或输入拼音首字母。">
      {error !== undefined && (
        <div class="items-fault">
          <Notice kind="error" testid="fault" title="事项目录暂时打不开">
            <p>{error}</p>
          </Notice>
          <BigButton testid="fault-retry" label="重试" onClick={() => setAttempt((n) => n + 1)} />
        </div>
      )}
      {catalog === undefined && error === undefined && (
        <p class="lead" data-testid="items-loading" role="status">
          正在打开事项目录…
        </p>
      )}
      {catalog !== undefined && (
        <>
          <BigButton testid="items-guide" class="items-guide" kind="secondary" icon="?" label="不知道办哪项？试试智能导办" sub="回答几个简单问题，为您找到要办的事项" onClick={() => go('guide')} />
          <div class="items-search">
            <label class="items-search-label" for="items-query">
              按名称或拼音首字母查找
            </label>
            <div class="items-search-row">
              <input
                id="items-query"
                class="items-query"
                data-testid="items-query"
                type="search"
                inputMode="none"
                autocomplete="off"
                placeholder="如：异地就医，或 YDJY"
                value={query}
                onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
              />
              <button type="button" class="items-key items-key-wide" data-testid="items-key-back" disabled={query === ''} onClick={() => setQuery((q) => Array.from(q).slice(0, -1).join(''))}>
                删除
              </button>
              <button type="button" class="items-key items-key-wide" data-testid="items-key-clear" disabled={query === ''} onClick={() => setQuery('')}>
                清空
              </button>
            </div>
            {!elder || showKeys || searching ? (
              <div class="items-keyboard" role="group" aria-label="拼音首字母键盘">
                {LETTERS.map((l) => (
                  <button type="button" key={l} class="items-key" data-testid={`items-key-${l}`} disabled={!letters.has(l)} onClick={() => type(l)}>
                    {l}
                  </button>
                ))}
              </div>
            ) : (
              <BigButton testid="items-show-keyboard" kind="secondary" label="用拼音首字母查找" onClick={() => setShowKeys(true)} />
            )}
          </div>
          {searching ? (
            <section class="items-results" data-testid="items-results" aria-label="查找结果">
              <p class="items-count" role="status">{results.length > 0 ? `找到 ${results.length} 个事项` : ''}</p>
              {results.length === 0 ? (
                <Notice kind="info" testid="items-empty" title="没有找到相关事项">
                  <p>请换一个关键词，或点上方“智能导办”，回答几个问题帮您找到。</p>
                </Notice>
              ) : (
                <ul class="items-list">
                  {results.map((item) => (
                    <li key={item.code}>
                      <ItemTile item={item} />
                    </li>
                  ))}
                </ul>
              )}
            </section>
          ) : (
            <>
              <div class="items-tabs" role="tablist" aria-label="浏览方式">
                {TABS.map((t) => (
                  <button
                    type="button"
                    key={t.id}
                    role="tab"
                    id={`items-tab-${t.id}`}
                    class={`items-tab${tab === t.id ? ' on' : ''}`}
                    data-testid={`items-tab-${t.id}`}
                    aria-selected={tab === t.id}
                    aria-controls="items-panel"
                    onClick={() => setTab(t.id)}
                  >
                    {t.label}
                  </button>
                ))}
              </div>
              <div class="items-panel" id="items-panel" role="tabpanel" aria-labelledby={`items-tab-${tab}`} data-testid="items-panel">
                {groupItems(items, tab).map((g, i) => (
                  <section class="items-group" key={g.name} data-testid={`items-group-${i}`} aria-labelledby={`items-group-${i}`}>
                    <h2 class="items-group-name" id={`items-group-${i}`}>
                      {g.name}
                      <span class="items-group-count">{g.items.length} 项</span>
                    </h2>
                    <ul class="items-list">
                      {g.items.map((item) => (
                        <li key={item.code}>
                          <ItemTile item={item} />
                        </li>
                      ))}
                    </ul>
                  </section>
                ))}
              </div>
            </>
          )}
        </>
      )}
    </Screen>
  );
}

function ItemTile({ item }: { item: ItemSummary }) {
  const here = item.issuable !== undefined;
  return (
    <button type="button" class={`item-tile${here ? ' issuable' : ''}`} data-testid={`item-${item.code}`} onClick={() => chooseItem(item.code)}>
      <span class="item-name">{item.name}</span>
      <span class="item-dept">{item.department}</span>
      <span class="item-tags">
        <span class={`item-tag${here ? ' here' : ''}`} data-testid={`item-outcome-${item.code}`}>
          {outcomeLabel(item)}
        </span>
        {item.modes.map((m) => (
          <span class="item-tag" key={m}>
            {m}
          </span>
        ))}
      </span>
    </button>
  );
}
