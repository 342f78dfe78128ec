// The audit log of full ID-card / phone reads (city HR).
import { request } from '@/utils/request'
import type { Schemas } from '@/api/schema'

export type PiiReads = Schemas['PiiReadsOut']
export type PiiRead = Schemas['PiiReadOut']

export const PII_ACTIONS = [
  { value: 'pii.read', label: '查看学员完整证件号与手机号' },
  { value: 'subsidy.roster_full_export', label: '导出含完整证件号的补贴花名册' },
  { value: 'pii.resume_pdf', label: '学员下载含完整手机号的简历' },
  { value: 'pii.delivered_to_recruitment_site', label: '向招聘网站投递学员简历' },
]

export const listPiiReads = (query: { action?: string; start?: string; end?: string; offset?: number; limit?: number }) =>
  request<PiiReads>('/audit/pii-reads', { query })
