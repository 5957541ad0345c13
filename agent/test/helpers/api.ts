/** A JSON call to a running agent's local API with its bearer token: the shape most API tests need. */
import type { RunningAgent } from '../../agent.js';

export async function apiCall(agent: RunningAgent, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(new URL(path.slice(1), agent.url), {
    method,
    headers: { authorization: `Bearer ${agent.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: await res.json() };
}
