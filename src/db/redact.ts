/** Connection strings printed anywhere go through here first: the password never leaves (invariant 9). */
const SECRET_PARAMS = /^(password|sslpassword|sslkey|pass|secret|token|api_?key)$/i;

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const name of [...parsed.searchParams.keys()]) {
      if (SECRET_PARAMS.test(name)) parsed.searchParams.set(name, '***');
    }
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@').replace(/([?&](?:password|sslpassword|token|secret)=)[^&]*/gi, '$1***');
  }
}

/** True when a URL carries a credential (a password, or a secret query parameter). */
export function urlHasSecret(url: string): boolean {
  return redactUrl(url) !== url;
}
