/**
 * Credentials in URLs (`mqtt://user:secret@host`) never reach a log line, a
 * report or an error message: every text that may carry a broker URL goes
 * through redactCredentials first. The user name stays (it tells an operator
 * which account is in use); the password becomes `***`.
 */

/** What a redacted password reads as. */
export const REDACTED = '***';

/**
 * `scheme://user:password@` anywhere in `text`, up to the last `@` of that
 * URL (a password may itself contain `@`; whitespace, quotes or angle brackets
 * end a URL in running text).
 */
const URL_CREDENTIALS = /([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^\s"'<>@:/]*):[^\s"'<>]*@/g;

/** `text` with the password of every URL in it replaced by `***`. */
export function redactCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, (_match, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`);
}

/** The password in `url` (percent-decoded), or undefined when it carries none. */
export function urlPassword(url: string): string | undefined {
  try {
    const password = new URL(url).password;
    return password === '' ? undefined : decodeURIComponent(password);
  } catch {
    return undefined;
  }
}
