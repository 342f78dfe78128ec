import { request } from '@/utils/request'

export interface Me {
  user_id: number
  display_name: string
  name_masked: string
  roles: string[]
  scopes: Record<string, unknown>[]
  instructor_id: number | null
  class_ids: number[]
  phone_masked: string
}

export const fetchMe = () => request<Me>('/me', { silent: true })
