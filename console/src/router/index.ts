// Routes by role: each page lists the roles whose API calls it makes; the API still decides.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import Layout from '@/layout/Layout.vue'
import { hasRole, isCityHr, loadSession, session } from '@/utils/session'
import { setExpiryHandler } from '@/utils/request'

const STAFF = ['class_teacher', 'staff', 'instructor', 'institution_admin', 'hr_admin']

const HR = ['hr_admin']
const HR_AND_INSTITUTIONS = ['hr_admin', 'institution_admin']

/** `city`: only city-level HR sees the entry (the API refuses district HR there). */
export const menu: { path: string; title: string; roles: string[]; city?: boolean }[] = [
  { path: '/home', title: '待办事项', roles: STAFF },
  { path: '/institutions', title: '培训机构', roles: HR },
  { path: '/classes', title: '培训班', roles: STAFF },
  { path: '/dashboard', title: '数据看板', roles: HR },
  { path: '/calendar', title: '工作日历', roles: HR },
  { path: '/notices', title: '书面通报', roles: HR_AND_INSTITUTIONS },
  { path: '/inspections', title: '明察暗访', roles: HR_AND_INSTITUTIONS },
  { path: '/blacklist', title: '黑名单', roles: HR },
  { path: '/cases', title: '典型案例', roles: HR_AND_INSTITUTIONS },
  { path: '/audit', title: '查阅审计', roles: HR },
]

/** The menu entries the logged-in user may open. */
export const visibleMenu = () => menu.filter((m) => hasRole(...m.roles) && (!m.city || isCityHr()))

const routes: RouteRecordRaw[] = [
  { path: '/login', component: () => import('@/views/login/index.vue'), meta: { public: true } },
  { path: '/scan', component: () => import('@/views/scan/index.vue'), meta: { public: true } },
  {
    path: '/',
    component: Layout,
    redirect: '/home',
    children: [
      { path: 'home', component: () => import('@/views/home/index.vue'), meta: { roles: STAFF } },
      {
        path: 'institutions',
        component: () => import('@/views/institutions/list/index.vue'),
        meta: { roles: ['hr_admin'] },
      },
      { path: 'classes', component: () => import('@/views/classes/list/index.vue'), meta: { roles: STAFF } },
      {
        path: 'classes/:id(\\d+)',
        component: () => import('@/views/classes/detail/index.vue'),
        meta: { roles: STAFF },
      },
      {
        path: 'dashboard',
        component: () => import('@/views/dashboard/overview/index.vue'),
        meta: { roles: ['hr_admin'] },
      },
      { path: 'calendar', component: () => import('@/views/calendar/index.vue'), meta: { roles: HR } },
      {
        path: 'notices',
        component: () => import('@/views/supervision/notices/index.vue'),
        meta: { roles: HR_AND_INSTITUTIONS },
      },
      {
        path: 'inspections',
        component: () => import('@/views/supervision/inspections/index.vue'),
        meta: { roles: HR_AND_INSTITUTIONS },
      },
      { path: 'blacklist', component: () => import('@/views/supervision/blacklist/index.vue'), meta: { roles: HR } },
      {
        path: 'cases',
        component: () => import('@/views/programme/cases/index.vue'),
        meta: { roles: HR_AND_INSTITUTIONS },
      },
      { path: 'audit', component: () => import('@/views/audit/index.vue'), meta: { roles: HR } },
    ],
  },
  { path: '/:rest(.*)*', redirect: '/home' },
]

const router = createRouter({ history: createWebHistory('/console/'), routes })

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  if (!session.checked || !session.me) await loadSession()
  if (!session.me) return { path: '/login', query: { redirect: to.fullPath } }
  const roles = to.meta.roles as string[] | undefined
  if (roles && !hasRole(...roles)) return to.path === '/home' ? true : '/home'
  if (to.meta.city && !isCityHr()) return '/home'
  return true
})

setExpiryHandler(() => {
  session.me = null
  const here = router.currentRoute.value
  if (!here.meta.public) router.replace({ path: '/login', query: { redirect: here.fullPath } })
})

export default router
