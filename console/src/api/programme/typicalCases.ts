// Typical cases (第二十六条): drafted anonymised, published with the trainee's consent.
import { download, request } from '@/utils/request'
import type { Schemas } from '@/api/schema'

// GET /typical-cases declares no reply schema yet: its shape, as the API writes it.
export interface TypicalCase {
  id: number
  title: string
  story: string
  trainee: string
  category: string
  occupation: string
  district: string
  anonymised: boolean
  consented: boolean
  status: string
}

export type CaseIn = Schemas['CaseIn']

/** The list; `total` when the API gives it (lists become {items, total, limit, offset}). */
export const listCases = () => request<{ items: TypicalCase[]; total?: number }>('/typical-cases')
export const createCase = (body: CaseIn) =>
  request<{ id: number; status: string }>('/typical-cases', { method: 'POST', body })
export const consentCase = (id: number, evidence: string) =>
  request<{ id: number }>(`/typical-cases/${id}/consent`, { method: 'POST', body: { evidence } })
export const publishCase = (id: number) => request<{ id: number }>(`/typical-cases/${id}/publish`, { method: 'POST' })
export const exportCases = () => download('/typical-cases.xlsx', {}, 'typical-cases.xlsx')
