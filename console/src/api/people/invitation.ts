// One-time invitation codes (the invited person redeems it in the mini-program).
import { request } from '@/utils/request'

export interface Invitation {
  code: string
  role: string
  expires_at: string
}

export const inviteInstitutionAdmin = (institutionId: number) =>
  request<Invitation>('/invitations', {
    method: 'POST',
    body: { role: 'institution_admin', institution_id: institutionId, note: '管理后台邀请' },
  })
