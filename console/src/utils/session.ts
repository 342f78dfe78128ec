// Who is logged in (from GET /me), shared by the layout, the router and the pages.
import { reactive } from 'vue'
import { type Me, fetchMe } from '@/api/auth/me'

export const session = reactive<{ me: Me | null; checked: boolean }>({ me: null, checked: false })

export async function loadSession(): Promise<Me | null> {
  try {
    session.me = await fetchMe()
  } catch {
    session.me = null
  }
  session.checked = true
  return session.me
}

export function hasRole(...roles: string[]): boolean {
  return !!session.me && session.me.roles.some((r) => roles.includes(r))
}

export const ROLE_LABELS: Record<string, string> = {
  trainee: '学员',
  class_teacher: '专职班主任',
  staff: '工作人员',
  instructor: '授课讲师',
  institution_admin: '培训机构管理员',
  hr_admin: '人社部门管理员',
}

/** City-level HR (a grant without a district): the calendar and the audit log are theirs. */
export function isCityHr(): boolean {
  return !!session.me?.scopes.some((s) => s.role === 'hr_admin' && !s.district_code)
}

/** The institutions the user administers (from the grants GET /me lists). */
export function ownInstitutions(): number[] {
  return (session.me?.scopes ?? [])
    .filter((s) => s.role === 'institution_admin' && typeof s.institution_id === 'number')
    .map((s) => s.institution_id as number)
}
