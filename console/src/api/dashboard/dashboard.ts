// The HR dashboard and its xlsx download (one sheet per chart: groups, employment by month, funnel).
import { download, request } from '@/utils/request'
import type { Schemas } from '@/api/schema'

// 第二十三条: claimed (reported) and verified (checked by HR) side by side; rates in [0, 1]
export type Group = Schemas['GroupOut']
export type Dashboard = Schemas['DashboardOut']

export interface DashboardQuery {
  by: 'district' | 'institution'
  start: string
  end: string
}

export const fetchDashboard = (query: DashboardQuery) => request<Dashboard>('/dashboard', { query: { ...query } })
export const downloadDashboard = (query: DashboardQuery) =>
  download('/dashboard.xlsx', { ...query }, 'dashboard.xlsx')
