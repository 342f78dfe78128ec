// 待办: GET /me/work-queue (when the API has it).
import { request } from '@/utils/request'

export interface WorkItem {
  kind?: string
  title?: string
  label?: string
  summary?: string
  due?: string | null
  due_date?: string | null
  deadline?: string | null
  class_id?: number | null
  [key: string]: unknown
}

export interface WorkQueue {
  items: WorkItem[]
  counts: Record<string, number>
}

export const fetchWorkQueue = () => request<WorkQueue>('/me/work-queue', { silent: true })
