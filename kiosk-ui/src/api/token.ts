/**
 * The API token: handed to the page in the URL fragment (#token=...), which never reaches a server or a
 * log. The page takes it, removes the fragment from the address bar and keeps it in memory and in
 * sessionStorage `tongban.token` (so a reload keeps working): the only thing the page ever stores.
 */
const KEY = 'tongban.token';
let token: string | undefined;

function storage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined; // storage disabled: the token lives in memory only
  }
}

/** Reads #token=... once at boot (and removes it from the address bar), else the stored one. */
export function loadToken(): string | undefined {
  const hash = new URLSearchParams(location.hash.replace(/^#/, ''));
  const fromHash = hash.get('token');
  if (fromHash) {
    token = fromHash;
    storage()?.setItem(KEY, fromHash);
    history.replaceState(null, '', location.pathname + location.search);
  } else {
    token = storage()?.getItem(KEY) ?? undefined;
  }
  return token;
}

export function getToken(): string | undefined {
  return token;
}

/** Clears the browser's storage (a session's end) but keeps the token. */
export function clearStorageButToken(): void {
  const s = storage();
  try {
    s?.clear();
    if (s && token) s.setItem(KEY, token);
    window.localStorage?.clear();
  } catch {
    // storage disabled: nothing was kept there
  }
}
