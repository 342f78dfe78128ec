// Routes by role: each page lists the roles whose API calls it makes; the API still decides.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import Layout from '@/layout/Layout.vue'
import { hasRole, loadSession, session } from '@/utils/session'
import { setExpiryHandler } from '@/utils/request'

const STAFF = ['class_teacher', 'staff', 'instructor', 'institution_admin', 'hr_admin']

export const menu: { path: string; title: string; roles: string[] }[] = [
  { path: '/home', title: '待办事项', roles: STAFF },
  { path: '/institutions', title: '培训机构', roles: ['hr_admin'] },
  { path: '/classes', title: '培训班', roles: STAFF },
  { path: '/dashboard', title: '数据看板', roles: ['hr_admin'] },
]

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
  return true
})

setExpiryHandler(() => {
  session.me = null
  const here = router.currentRoute.value
  if (!here.meta.public) router.replace({ path: '/login', query: { redirect: here.fullPath } })
})

export default router
