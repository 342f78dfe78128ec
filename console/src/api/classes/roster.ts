// Roster: upload an xlsx (dry run first: every bad row listed), read the enrolled trainees.
import { request } from '@/utils/request'

export interface RosterProblem {
  row: number
  column: string
  value: string
  reason: string
}

export interface RosterResult {
  imported: number
  checked: number
  dry_run: boolean
}

export function uploadRoster(classId: number, file: File, dryRun: boolean): Promise<RosterResult> {
  const form = new FormData()
  form.append('file', file)
  return request<RosterResult>(`/classes/${classId}/roster`, {
    method: 'POST',
    form,
    query: { dry_run: dryRun },
    silent: true,
  })
}

export interface RosterTrainee {
  id: number
  name: string
  id_number_masked: string
  phone_masked: string
  category: string
  [key: string]: unknown
}

export const getRoster = (classId: number) =>
  request<{ items: RosterTrainee[] }>(`/classes/${classId}/roster`)
