// The institution registry (HR): list, register, read, edit.
import { request } from '@/utils/request'
import type { Page } from '@/api/schema'

export interface QualificationIn {
  item: string
  met: boolean
  evidence: string
}

export interface InstitutionIn {
  name: string
  credit_code: string
  district: string
  address: string
  contact_name: string
  contact_phone: string
  team_lead_name: string
  team_lead_years: number
  facilities: string[]
  qualifications: QualificationIn[]
  contract_no?: string
}

export interface InstitutionSummary {
  id: number
  name: string
  credit_code: string
  district: string
  district_name: string
  contact_name: string
  contact_phone_masked: string
  status: string
  status_label: string
  contract_end: string | null
}

export type { Page } from '@/api/schema'

export const QUALIFICATIONS: { item: string; label: string }[] = [
  { item: 'license', label: '第七条（一）具有基本办学许可或具备实训项目实施能力' },
  { item: 'management', label: '第七条（二）具备培训服务所需的内部管理体系' },
  { item: 'facilities', label: '第七条（三）具有培训场地、设备设施及教材等技术保障' },
  { item: 'team', label: '第七条（四）配备项目服务团队' },
  { item: 'channels', label: '第七条（五）具有岗位对接、就业实践等渠道资源' },
]

export const listInstitutions = (query: { q?: string; offset?: number; limit?: number }) =>
  request<Page<InstitutionSummary>>('/institutions', { query })
export const createInstitution = (body: InstitutionIn) =>
  request<InstitutionSummary>('/institutions', { method: 'POST', body, silent: true })
export const updateInstitution = (id: number, body: Partial<InstitutionIn>) =>
  request<InstitutionSummary>(`/institutions/${id}`, { method: 'PATCH', body })
