/**
 * The agent's local API over HTTP: every call carries the bearer token; a refusal comes back as the
 * agent's `{ error: { code, message, field } }` and is thrown as ApiError; a failed fetch (the agent is
 * down or restarting) as AgentUnreachable. explain() turns either into plain Chinese for the citizen.
 */
import { getToken } from './token';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** The whole error object as the agent sent it (problems of a form, a kept print job). */
    readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export class AgentUnreachable extends Error {
  override readonly name = 'AgentUnreachable';
  constructor(message = 'the agent did not answer', options?: { cause?: unknown }) {
    super(message, options);
  }
}

function headers(extra?: Record<string, string>): Record<string, string> {
  const t = getToken();
  return { ...(t ? { authorization: `Bearer ${t}` } : {}), ...extra };
}

async function send(path: string, init: RequestInit): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, cache: 'no-store' });
  } catch (err) {
    if (init.signal?.aborted) throw err;
    throw new AgentUnreachable(`${init.method ?? 'GET'} ${path}: ${String(err)}`, { cause: err });
  }
  if (!res.ok) throw await errorOf(res);
  return res;
}

async function errorOf(res: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const e = (body as { error?: Record<string, unknown> } | undefined)?.error;
  if (e && typeof e.code === 'string') {
    return new ApiError(res.status, e.code, typeof e.message === 'string' ? e.message : e.code, typeof e.field === 'string' ? e.field : undefined, e);
  }
  // A gateway or the agent starting: no JSON error. 5xx: treated like an agent that is not there.
  return new ApiError(res.status, res.status >= 500 ? 'internal' : `http${res.status}`, `HTTP ${res.status}`);
}

async function json<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await send(path, {
    method,
    headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const api = {
  get<T>(path: string): Promise<T> {
    return json<T>('GET', path);
  },
  post<T>(path: string, body?: unknown): Promise<T> {
    return json<T>('POST', path, body);
  },
  put<T>(path: string, body?: unknown): Promise<T> {
    return json<T>('PUT', path, body);
  },
  del<T>(path: string): Promise<T> {
    return json<T>('DELETE', path);
  },
  /** A binary answer (a PDF, a preview image). */
  async bytes(path: string, init?: RequestInit): Promise<Blob> {
    const res = await send(path, { ...init, headers: headers(init?.headers as Record<string, string> | undefined) });
    return res.blob();
  },
  /** A binary body (an uploaded material) with its media type; the answer is JSON. */
  async raw<T>(path: string, body: Blob | Uint8Array, type: string): Promise<T> {
    const res = await send(path, { method: 'POST', headers: headers({ 'content-type': type }), body: body as BodyInit });
    return (await res.json()) as T;
  },
};
