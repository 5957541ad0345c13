/**
 * SyncService: one SyncClient per configured endpoint, each given its share of the regions (see
 * routing.ts: a region goes to the first endpoint that lists it, else to the first '*' endpoint, else
 * nowhere). Cases of a region no endpoint takes stay in the outbox and are shown as `unrouted` (the
 * agent counts them: it knows the case regions and the configuration).
 */
import type { Logger } from '../../base/log.js';
import type { BackoffOptions } from './backoff.js';
import { assignRoutes } from './routing.js';
import { SyncClient } from './sync-client.js';
import type { EndpointConfig, EndpointStatus, KioskSyncStore } from './types.js';

export interface SyncServiceOptions {
  endpoints: EndpointConfig[];
  store: KioskSyncStore;
  log: Logger;
  agentVersion: string;
  unrouted: () => { region: string; count: number }[];
  backoff?: Partial<BackoffOptions>;
  now?: () => number;
}

export class SyncService {
  readonly clients: readonly SyncClient[];

  constructor(private readonly o: SyncServiceOptions) {
    const routes = assignRoutes(o.endpoints);
    this.clients = o.endpoints.map(
      (endpoint, i) =>
        new SyncClient({
          endpoint,
          store: o.store,
          log: o.log,
          agentVersion: o.agentVersion,
          route: routes[i]!,
          ...(o.backoff ? { backoff: o.backoff } : {}),
          ...(o.now ? { now: o.now } : {}),
        }),
    );
  }

  start(): void {
    for (const c of this.clients) c.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.stop()));
  }

  kick(): void {
    for (const c of this.clients) c.kick();
  }

  status(): { endpoints: EndpointStatus[]; unrouted: { region: string; count: number }[] } {
    let unrouted: { region: string; count: number }[] = [];
    try {
      unrouted = this.o.unrouted();
    } catch (err) {
      this.o.log.warn('could not count unrouted cases', { error: String(err) });
    }
    return { endpoints: this.clients.map((c) => c.status()), unrouted };
  }
}
