/**
 * The `sync` key of the agent's configuration (issue 6): which endpoints the kiosk's cases go to.
 *
 *   "sync": {
 *     "endpoints": [ { "url": "wss://hf.example.gov.cn/sync", "regions": ["340000", "341600"], "enrollToken": "...", "ca": "certs/hf-ca.pem" },
 *                    { "url": "wss://sh.example.gov.cn/sync", "regions": ["*"] } ],
 *     "heartbeatSeconds": 30,
 *     "local": { "port": 0 }
 *   }
 *
 * No `endpoints`: the embedded default, a reference endpoint run inside the agent on 127.0.0.1
 * (DATA/endpoint/, port `local.port`, 0 = ephemeral) that the kiosk enrols with by itself.
 * `endpoints: []`: no sync at all (every case waits, shown as unrouted). A region goes to the first
 * endpoint that lists it, else to the first `["*"]` one. The old `"endpoint": "URL"` is one endpoint
 * for every region. `ca` is a PEM file (relative to the configuration file's directory).
 */
import { CheckError, array, integer, isPlainObject, kindOf, object, optional, string, type Check } from '../../drivers/manager/check.js';

export interface SyncEndpointSetting {
  readonly url: string;
  readonly regions: readonly string[] | '*';
  readonly enrollToken?: string;
  /** Path of a PEM file (absolute once loaded from a file). */
  readonly ca?: string;
}

export interface SyncConfig {
  /** Undefined: the embedded reference endpoint. */
  readonly endpoints?: readonly SyncEndpointSetting[];
  readonly heartbeatSeconds: number;
  readonly local: { readonly port: number };
}

export const DEFAULT_HEARTBEAT_SECONDS = 30;

const wsUrl = string({ max: 2048, pattern: /^wss?:\/\/[^\s/]+\/[^\s]*$/, hint: 'a ws:// or wss:// URL (e.g. wss://host:port/sync)' });
const legacyUrl = string({ max: 2048, pattern: /^(https?|wss?):\/\/[^\s]+$/, hint: 'an http(s):// or ws(s):// URL' });
const token = string({ max: 512, pattern: /^[\x21-\x7e]+$/, hint: 'the enrolment token the endpoint printed' });
const caPath = string({ max: 4096, pattern: /^[^\0]+$/, hint: 'a PEM file' });

const regionsCheck: Check<readonly string[] | '*'> = (value, path) => {
  const list = array(string({ max: 6, pattern: /^(\d{6}|\*)$/, hint: 'a 6-digit region code or "*"' }), { min: 1, max: 500 })(value, path);
  if (list.includes('*')) {
    if (list.length > 1) throw new CheckError(path, 'is either ["*"] (every region) or a list of region codes, not both');
    return '*';
  }
  return list;
};

const endpointCheck = object({ url: wsUrl, regions: regionsCheck, enrollToken: optional(token), ca: optional(caPath) });

/** The old `sync.endpoint` (an http URL of the reference endpoint) as a WebSocket URL of its /sync. */
function fromLegacy(url: string): string {
  const u = new URL(url);
  u.protocol = u.protocol === 'https:' || u.protocol === 'wss:' ? 'wss:' : 'ws:';
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/sync';
  return u.toString();
}

export function parseSyncConfig(value: unknown, path = 'sync'): SyncConfig {
  if (value === undefined) return { heartbeatSeconds: DEFAULT_HEARTBEAT_SECONDS, local: { port: 0 } };
  if (!isPlainObject(value)) throw new CheckError(path, `must be an object, not ${kindOf(value)}`);
  const s = object({
    endpoints: optional(array(endpointCheck, { min: 0, max: 20 })),
    endpoint: optional(legacyUrl),
    heartbeatSeconds: optional(integer(5, 3600)),
    local: optional(object({ port: optional(integer(0, 65535)) })),
  })(value, path);
  if (s.endpoints !== undefined && s.endpoint !== undefined) throw new CheckError(`${path}.endpoint`, 'cannot be set with sync.endpoints (it is the old form of one endpoint for every region)');
  const endpoints: SyncEndpointSetting[] | undefined =
    s.endpoints?.map((e) => ({ url: e.url, regions: e.regions, ...(e.enrollToken !== undefined ? { enrollToken: e.enrollToken } : {}), ...(e.ca !== undefined ? { ca: e.ca } : {}) })) ??
    (s.endpoint !== undefined ? [{ url: fromLegacy(s.endpoint), regions: '*' }] : undefined);
  endpoints?.forEach((e, i) => {
    if (endpoints.findIndex((o) => o.url === e.url) !== i) throw new CheckError(`${path}.endpoints[${i}].url`, 'names an endpoint listed before');
  });
  return { ...(endpoints !== undefined ? { endpoints } : {}), heartbeatSeconds: s.heartbeatSeconds ?? DEFAULT_HEARTBEAT_SECONDS, local: { port: s.local?.port ?? 0 } };
}

/** `ca` paths made absolute against the configuration file's directory. */
export function resolveSyncPaths(sync: SyncConfig, resolvePath: (p: string) => string): SyncConfig {
  if (!sync.endpoints) return sync;
  return { ...sync, endpoints: sync.endpoints.map((e) => (e.ca !== undefined ? { ...e, ca: resolvePath(e.ca) } : e)) };
}
