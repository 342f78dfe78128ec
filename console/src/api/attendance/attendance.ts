// Attendance: the class matrix, a session's sheet, confirm / reject / mark, projector link.
import { request } from '@/utils/request'

export interface MatrixCell {
  session_id: number
  status: string
  status_label: string
  review: string
  review_label: string
  counted: boolean
}

export interface Matrix {
  class_id: number
  class_title: string
  sessions: {
    id: number
    topic: string
    starts_at: string
    ends_at: string
    totals: Record<string, number>
  }[]
  trainees: { trainee_id: number; name: string; cells: MatrixCell[]; [k: string]: unknown }[]
}

export interface SheetItem {
  trainee_id: number
  name: string
  status: string
  status_label: string
  review: string
  review_label: string
  checkin: { id: number; scanned_at: string; late: boolean } | null
  flag_labels: string[]
}

export interface Sheet {
  session: { id: number; topic: string; starts_at: string; ends_at: string }
  phase: string
  counts: Record<string, number>
  items: SheetItem[]
  missing: { trainee_id: number; name: string }[]
}

export const classMatrix = (classId: number) => request<Matrix>(`/classes/${classId}/attendance`)
export const sessionSheet = (sessionId: number) => request<Sheet>(`/sessions/${sessionId}/checkins`)
export const confirmCheckin = (id: number) =>
  request(`/checkins/${id}/confirm`, { method: 'POST', body: { reason: '' } })
export const rejectCheckin = (id: number, reason: string) =>
  request(`/checkins/${id}/reject`, { method: 'POST', body: { reason } })
export const confirmAll = (sessionId: number) =>
  request<{ confirmed: number }>(`/sessions/${sessionId}/checkins/confirm-all`, { method: 'POST' })
export const markAttendance = (sessionId: number, traineeId: number, status: string, reason: string) =>
  request(`/sessions/${sessionId}/attendance/${traineeId}`, { method: 'PUT', body: { status, reason } })
export const displayLink = (sessionId: number) =>
  request<{ url: string; path: string; expires_at: string }>(`/sessions/${sessionId}/display-link`, {
    method: 'POST',
    body: {},
  })
