// Supervision by HR: written notices (第九条), the blacklist (第二十七条), inspections (第二十八条).
import { request } from '@/utils/request'
import type { Schemas } from '@/api/schema'

export type Notices = Schemas['NoticesOut']
export type BlacklistPage = Schemas['BlacklistPageOut']
export type BlacklistEntry = Schemas['BlacklistEntryOut']
export type BlacklistIn = Schemas['BlacklistIn']
export type Inspections = Schemas['InspectionsOut']
export type InspectionIn = Schemas['InspectionIn']

export const BLACKLIST_KINDS = [
  { value: 'institution', label: '培训机构' },
  { value: 'instructor', label: '讲师' },
  { value: 'trainee', label: '学员' },
] as const

export const INSPECTION_ITEMS = [
  { value: 'training_organisation', label: '培训组织' },
  { value: 'trainee_management', label: '学员管理' },
  { value: 'teaching_delivery', label: '教学实施' },
  { value: 'instructor_teaching', label: '师资授课' },
  { value: 'trainee_satisfaction', label: '学员满意度' },
  { value: 'materials_equipment', label: '教材、设备、教具' },
] as const

export const listNotices = (institutionId: number) => request<Notices>(`/institutions/${institutionId}/notices`)
export const issueNotice = (institutionId: number, reason: string) =>
  request<Schemas['NoticeOut']>(`/institutions/${institutionId}/notices`, { method: 'POST', body: { reason } })

export const listBlacklist = (query: { kind?: string; offset?: number; limit?: number }) =>
  request<BlacklistPage>('/blacklist', { query })
export const addToBlacklist = (body: BlacklistIn) => request<BlacklistEntry>('/blacklist', { method: 'POST', body })
export const liftBlacklist = (id: number, reason: string) =>
  request<BlacklistEntry>(`/blacklist/${id}/lift`, { method: 'POST', body: { reason } })

export const listInspections = (institutionId: number, query: { offset?: number; limit?: number }) =>
  request<Inspections>(`/institutions/${institutionId}/inspections`, { query })
export const recordInspection = (body: InspectionIn) =>
  request<Schemas['InspectionOut']>('/inspections', { method: 'POST', body })
