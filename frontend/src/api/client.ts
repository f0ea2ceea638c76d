/** Fetch wrapper for /api/: session cookies, CSRF header on writes, one error type. */

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

function readCookie(name: string): string | null {
  const match = document.cookie.split('; ').find((part) => part.startsWith(`${name}=`));
  return match ? decodeURIComponent(match.slice(name.length + 1)) : null;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  json?: unknown;
  form?: FormData;
  signal?: AbortSignal;
}

/**
 * Calls the API and decodes JSON.
 *
 * @param path absolute path starting with /api/
 * @param options method and a JSON or multipart body
 * @returns the decoded body, or undefined for 204
 * @throws ApiError with the server's {error: {code, message, details}} when the status is not 2xx
 */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: BodyInit | undefined;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    body = options.form;
  }
  if (method !== 'GET') {
    const token = readCookie('csrftoken');
    if (token) headers['X-CSRFToken'] = token;
  }
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection and try again.');
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const data: unknown = text ? safeJson(text, response) : undefined;
  if (!response.ok) throw toApiError(response.status, data);
  return data as T;
}

function safeJson(text: string, response: Response): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // An HTML error page (a proxy, or Django's debug page) is no message for a person.
    const reason = response.ok ? 'an unreadable answer' : `${response.status} ${response.statusText}`.trim();
    return {
      error: {
        code: 'bad_response',
        message: `The server answered ${reason}. Try again; if it persists, tell the lab's administrator.`,
      },
    };
  }
}

function toApiError(status: number, data: unknown): ApiError {
  const error = (data as { error?: { code?: string; message?: string; details?: Record<string, unknown> } })
    ?.error;
  if (error?.message) return new ApiError(status, error.code ?? 'error', error.message, error.details ?? {});
  const detail = (data as { detail?: string })?.detail;
  return new ApiError(status, 'error', detail ?? `The server answered ${status}.`);
}

/** A readable message for any thrown value, including field errors from `invalid`. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = Object.entries(error.details)
      .filter(([, value]) => Array.isArray(value))
      .map(([field, value]) => `${field}: ${(value as string[]).join(' ')}`);
    return fields.length ? `${error.message} (${fields.join('; ')})` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Builds a query string, dropping empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
