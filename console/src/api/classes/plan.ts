// Class plans: list, detail, draft, sessions, instructors, staff, submit, review.
import { request } from '@/utils/request'
import type { Page } from '@/api/institutions/institution'

export interface ClassSummary {
  id: number
  institution_id: number
  title: string
  kind: string
  district_code: string
  district_name: string
  start_date: string
  end_date: string
  status: string
  status_label: string
  submission_deadline?: string | null
  review_deadline?: string | null
}

export interface SessionRow {
  id: number
  topic: string
  room: string
  starts_at: string
  ends_at: string
  instructor_ids: number[]
}

export interface ClassDetail extends ClassSummary {
  venue_address: string
  capacity: number
  contract_amount: string
  instructors: { id: number; name: string; is_lead: boolean }[]
  staff: { duty: string; user_id: number; name: string }[]
  sessions: SessionRow[]
  enrolled: number
  history: { from: string | null; to: string; reason: string; at: string }[]
}

export interface PlanIn {
  institution_id: number
  title: string
  district_code: string
  start_date: string
  end_date: string
  venue_address: string
  capacity: number
  contract_amount: string
}

export interface SessionIn {
  date: string
  start: string
  end: string
  topic: string
  room: string
  instructor_ids: number[]
}

export const listClasses = (query: { status?: string; offset?: number; limit?: number }) =>
  request<Page<ClassSummary>>('/classes', { query })
export const getClass = (id: number) => request<ClassDetail>(`/classes/${id}`)
export const createPlan = (body: PlanIn) => request<ClassDetail>('/classes', { method: 'POST', body })
export const addSessions = (id: number, sessions: SessionIn[]) =>
  request<ClassDetail>(`/classes/${id}/sessions`, { method: 'POST', body: { sessions } })
export const deleteSession = (id: number, sessionId: number) =>
  request(`/classes/${id}/sessions/${sessionId}`, { method: 'DELETE' })
export const setInstructors = (id: number, instructorIds: number[], leadId: number | null) =>
  request<ClassDetail>(`/classes/${id}/instructors`, {
    method: 'PUT',
    body: { instructor_ids: instructorIds, lead_id: leadId },
  })
export const setStaff = (id: number, staff: { team_lead?: number; class_teacher?: number; staff?: number }) =>
  request<ClassDetail>(`/classes/${id}/staff`, { method: 'PUT', body: staff })
export const submitPlan = (id: number) =>
  request<ClassDetail>(`/classes/${id}/submit`, { method: 'POST', silent: true })
export const reviewPlan = (id: number, decision: 'approve' | 'reject', reason: string) =>
  request<ClassDetail>(`/classes/${id}/review`, { method: 'POST', body: { decision, reason } })

export interface InstructorRow {
  id: number
  name: string
  [key: string]: unknown
}
export const listInstructors = () =>
  request<Page<InstructorRow>>('/instructors', { query: { limit: 100 } })
