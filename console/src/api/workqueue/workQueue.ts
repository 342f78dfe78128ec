// 待办: GET /me/work-queue — the caller's work, soonest deadline first, counts by kind.
import { request } from '@/utils/request'

export interface WorkItem {
  kind: string
  kind_label: string
  title: string
  deadline: string | null
  days_left: number | null
  overdue: boolean
  article: string
  link: string
  object_type: string
  object_id: number
  class_id: number | null
  institution_id: number | null
  count: number
}

export interface WorkQueue {
  items: WorkItem[]
  counts: Record<string, number>
}

export const fetchWorkQueue = () => request<WorkQueue>('/me/work-queue', { silent: true })
