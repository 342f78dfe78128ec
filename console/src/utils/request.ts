// The one HTTP helper of the console: same-origin cookies (扫码登录 session), the CSRF header
// on unsafe methods, the API's error shape {"error": {code, message, details}} shown as an
// ElMessage, and session expiry (401) sending the user back to the login page.
import { ElMessage } from 'element-plus'

export const API = '/api/v1'
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS'])

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public details: Record<string, unknown> = {},
  ) {
    super(message)
  }
}

export interface RequestOptions {
  method?: string
  body?: unknown
  form?: FormData
  query?: Record<string, string | number | boolean | undefined | null>
  headers?: Record<string, string>
  /** Do not show the error message (the caller shows it in the page). */
  silent?: boolean
}

let onExpired: (() => void) | null = null
/** What to do when the session is gone (set by the router: go to the login page). */
export function setExpiryHandler(handler: () => void): void {
  onExpired = handler
}

function cookie(name: string): string {
  const found = document.cookie.split('; ').find((c) => c.startsWith(name + '='))
  return found ? decodeURIComponent(found.slice(name.length + 1)) : ''
}

export function url(path: string, query?: RequestOptions['query']): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value))
  }
  const text = params.toString()
  return API + path + (text ? '?' + text : '')
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  const method = (options.method ?? 'GET').toUpperCase()
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers }
  if (!SAFE.has(method) && !headers.Authorization) headers['X-CSRF-Token'] = cookie('jr_csrf')
  let body: BodyInit | undefined
  if (options.form) body = options.form
  else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(options.body)
  }
  try {
    return await fetch(url(path, options.query), { method, headers, body, credentials: 'same-origin' })
  } catch {
    throw new ApiError(0, 'NETWORK', '网络连接失败，请检查网络后重试')
  }
}

async function failure(response: Response): Promise<ApiError> {
  let payload: { error?: { code?: string; message?: string; details?: Record<string, unknown> } } = {}
  try {
    payload = await response.json()
  } catch {
    /* not JSON: keep the generic message */
  }
  const error = payload.error ?? {}
  return new ApiError(
    response.status,
    error.code ?? 'HTTP_' + response.status,
    error.message ?? `服务暂时不可用（${response.status}），请稍后再试`,
    error.details ?? {},
  )
}

function report(error: ApiError, options: RequestOptions): never {
  if (error.status === 401 && onExpired) {
    if (!options.silent) ElMessage.warning(error.message || '登录已过期，请重新扫码登录')
    onExpired()
  } else if (!options.silent) {
    ElMessage.error(error.message)
  }
  throw error
}

/** Call the API and return its JSON body. */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(path, options).catch((e: ApiError) => report(e, options))
  if (!response.ok) report(await failure(response), options)
  if (response.status === 204) return undefined as T
  return (await response.json()) as T
}

/** Download a file the API builds (xlsx exports) under the name it gives. */
export async function download(
  path: string,
  query: RequestOptions['query'],
  fallback: string,
  extra: Pick<RequestOptions, 'method' | 'body'> = {},
): Promise<void> {
  const options: RequestOptions = { query, ...extra }
  const response = await send(path, options).catch((e: ApiError) => report(e, options))
  if (!response.ok) report(await failure(response), options)
  const disposition = response.headers.get('Content-Disposition') ?? ''
  const match = /filename\*=UTF-8''([^;]+)/.exec(disposition)
  const name = match ? decodeURIComponent(match[1]) : fallback
  const link = document.createElement('a')
  link.href = URL.createObjectURL(await response.blob())
  link.download = name
  document.body.appendChild(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000)
}
