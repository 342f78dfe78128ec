// The HR dashboard and its xlsx download.
import { download, request } from '@/utils/request'

export interface Group {
  key: string
  name: string
  classes_by_status: Record<string, number>
  attendance: { attended: number; expected: number; rate: string | null }
  satisfaction: Record<string, unknown>
  followup: { classes: number; complete: number }
  employment: { enrolled: number; employed: number; rate: string | null }
  subsidy: { total: string; due_unpaid: string; paid: string }
}

export interface Dashboard {
  by: string
  period: { start: string; end: string }
  groups: Group[]
  total: Group
  sessions: number
}

export interface DashboardQuery {
  by: 'district' | 'institution'
  start: string
  end: string
}

export const fetchDashboard = (query: DashboardQuery) => request<Dashboard>('/dashboard', { query: { ...query } })
export const downloadDashboard = (query: DashboardQuery) =>
  download('/dashboard.xlsx', { ...query }, 'dashboard.xlsx')
