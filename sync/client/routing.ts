/**
 * Which outbox entries go to which endpoint. Each region goes to exactly one endpoint: the first one
 * that lists it; a region no endpoint lists goes to the first endpoint configured with '*', or nowhere
 * (its cases wait, counted as unrouted). An endpoint further narrows what it takes to the regions its
 * `welcome` says it serves, so that it is never sent a case it would refuse for its region.
 */
import type { KioskSyncStore, Regions, SyncEntry } from './types.js';

/** What one endpoint's client asks the store for. */
export interface Route {
  /** The regions configured for this endpoint, minus those an earlier endpoint claimed. */
  readonly regions: Regions;
  /** With regions '*': the regions other endpoints handle (left out). */
  readonly except: ReadonlySet<string>;
}

/** The routes of several endpoints, in configuration order. */
export function assignRoutes(endpoints: readonly { regions: Regions }[]): Route[] {
  const explicit = new Map<string, number>();
  endpoints.forEach((e, i) => {
    if (e.regions === '*') return;
    for (const r of e.regions) if (!explicit.has(r)) explicit.set(r, i);
  });
  const wildcard = endpoints.findIndex((e) => e.regions === '*');
  return endpoints.map((e, i) => {
    if (e.regions === '*') {
      // A second '*' endpoint takes nothing: the first one already takes every unlisted region.
      if (i !== wildcard) return { regions: [], except: new Set<string>() };
      return { regions: '*', except: new Set([...explicit].filter(([, owner]) => owner !== i).map(([r]) => r)) };
    }
    return { regions: e.regions.filter((r) => explicit.get(r) === i), except: new Set<string>() };
  });
}

/** Narrows a route to what the endpoint said it serves (`welcome.regions`, ['*'] = anything). */
export function narrowRoute(route: Route, served: readonly string[]): Route {
  if (served.includes('*')) return route;
  if (route.regions === '*') return { regions: served.filter((r) => !route.except.has(r)), except: new Set<string>() };
  return { regions: route.regions.filter((r) => served.includes(r)), except: new Set<string>() };
}

/** Whether a region code is covered by a route (for tests and status). */
export function routes(route: Route, region: string): boolean {
  return route.regions === '*' ? !route.except.has(region) : route.regions.includes(region);
}

/**
 * The store's pending() for a route. With '*' minus some regions, the store (which only knows
 * include-lists) is asked again with the other endpoints' entries excluded, until the page is full or
 * the store has nothing more.
 */
export function pendingFor(
  store: KioskSyncStore,
  route: Route,
  q: { now: number; limit: number; exclude: ReadonlySet<number> },
): SyncEntry[] {
  if (route.regions !== '*' && route.regions.length === 0) return [];
  if (route.regions !== '*' || route.except.size === 0) return store.pending({ regions: route.regions, ...q });
  const skip = new Set(q.exclude);
  const out: SyncEntry[] = [];
  while (out.length < q.limit) {
    const want = q.limit - out.length;
    const got = store.pending({ regions: '*', now: q.now, limit: want, exclude: skip });
    for (const e of got) {
      skip.add(e.seq);
      if (!route.except.has(e.region)) out.push(e);
    }
    if (got.length < want) break;
  }
  return out;
}

export function countsFor(store: KioskSyncStore, route: Route): { pending: number; quarantined: number } {
  if (route.regions !== '*' && route.regions.length === 0) return { pending: 0, quarantined: 0 };
  const all = store.counts(route.regions);
  if (route.regions !== '*' || route.except.size === 0) return all;
  const others = store.counts([...route.except]);
  return { pending: Math.max(0, all.pending - others.pending), quarantined: Math.max(0, all.quarantined - others.quarantined) };
}
