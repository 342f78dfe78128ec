// Attendance: the class matrix, a session's sheet, confirm / reject / mark, projector link.
import type { Schemas } from '@/api/schema'
import { request } from '@/utils/request'

// The replies as the API documents them (api-types.ts, generated from the OpenAPI document).
export type MatrixCell = Schemas['MatrixCellOut']
export type Matrix = Schemas['MatrixOut']
export type SheetItem = Schemas['SheetItemOut']
export type Sheet = Schemas['SheetOut']

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
