// A class after its start: feedback, assessment and certificates, follow-up, employment, subsidy.
import { download, request } from '@/utils/request'
import type { Page, Schemas } from '@/api/schema'

export type FeedbackSummary = Schemas['ClassFeedbackSummaryOut']
export type Completion = Schemas['CompletionOut']
export type FollowupSummary = Schemas['FollowupSummaryOut']
export type EmploymentClaim = Schemas['EmploymentClaimOut']
export type Subsidy = Schemas['SubsidyOut']

export const feedbackSummary = (classId: number) =>
  request<FeedbackSummary>(`/classes/${classId}/feedback-summary`)

export const completion = (classId: number) => request<Completion>(`/classes/${classId}/completion`)
export const recordScore = (classId: number, traineeId: number, score: number) =>
  request<Schemas['ResultOut']>(`/classes/${classId}/assessments`, {
    method: 'POST',
    body: { trainee_id: traineeId, score },
  })
export const issueCertificates = (classId: number) =>
  request<Schemas['IssuedOut']>(`/classes/${classId}/certificates`, { method: 'POST' })

export const followupSummary = (classId: number) =>
  request<FollowupSummary>(`/classes/${classId}/followup-summary`)

export const employmentClaims = (classId: number, query: { offset?: number; limit?: number }) =>
  request<Page<EmploymentClaim>>(`/classes/${classId}/employment-claims`, { query })
export const verifyEmployment = (recordId: number, body: Schemas['VerificationIn']) =>
  request<unknown>(`/employment-outcomes/${recordId}/verification`, { method: 'POST', body })

export const subsidy = (classId: number) => request<Subsidy>(`/classes/${classId}/subsidy`)
export const payTranche = (classId: number, tranche: number, reference: string) =>
  request<unknown>(`/classes/${classId}/subsidy/payments`, { method: 'POST', body: { tranche, reference } })
export const downloadApplication = (classId: number) =>
  download(`/classes/${classId}/subsidy/application.xlsx`, {}, `subsidy-application-${classId}.xlsx`)
export const downloadRoster = (classId: number) =>
  download(`/classes/${classId}/subsidy/roster.xlsx`, {}, `subsidy-roster-${classId}.xlsx`)
/** The roster with full ID numbers: a reason, and an entry in the audit log. */
export const downloadFullRoster = (classId: number, reason: string) =>
  download(`/classes/${classId}/subsidy/roster-full.xlsx`, {}, `subsidy-roster-full-${classId}.xlsx`, {
    method: 'POST',
    body: { reason },
  })
