// 扫码登录: a ticket for this browser, its state, the session cookie, logout.
import { request } from '@/utils/request'
import type { Me } from './me'

export interface Ticket {
  ticket: string
  qr_text: string
  qr_image: string
  expires_at: string
  expires_in: number
}

export type TicketState = 'pending' | 'confirmed' | 'used' | 'expired'

export const startWebLogin = () => request<Ticket>('/auth/web-login', { method: 'POST' })
export const ticketState = (ticket: string) =>
  request<{ state: TicketState }>(`/auth/web-login/${ticket}`, { silent: true })
export const redeemTicket = (ticket: string) =>
  request<{ user: Me }>(`/auth/web-login/${ticket}/session`, { method: 'POST' })
export const logout = () => request<{ ok: boolean }>('/auth/logout', { method: 'POST' })

/** Demo only (the WeChat stand-in accepts test-* codes): log in as a demo person on this page's
 *  behalf and confirm the ticket, exactly as the mini-program does after a scan. */
export async function confirmAsDemoUser(ticket: string, code: string): Promise<void> {
  const login = await request<{ token: string }>('/auth/wx-login', {
    method: 'POST',
    body: { code: `${code}~console${Date.now()}` },
  })
  await request(`/auth/web-login/${ticket}/confirm`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${login.token}` },
  })
}
