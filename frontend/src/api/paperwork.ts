// Paper backfill, reports, retention and the account-registration list (Go desktop/backfill.go).
import { call } from './transport'
import type { ApplicationInput, Permit } from './types'

/** One paper permit typed in from the paper (Go backfill.Form). Dates are YYYY-MM-DD. */
export interface BackfillForm {
  paper_number: string
  issued_on: string
  signer_name: string
  signer_title: string
  application: ApplicationInput
}

/** Why one cell of one row cannot be imported (Go backfill.Problem). */
export interface BackfillProblem {
  row: number
  field: string
  column: string
  header: string
  code: string
  vi: string
  en: string
}

export interface BackfillReport {
  total: number
  valid: number
  invalid: number
  problems: BackfillProblem[] | null
  already_entered: number
  to_add: number
  committed: boolean
  added: number
  verdict_vi: string
  verdict_en: string
}

export interface BackfillJob {
  id: string
  file: string
  commit: boolean
  phase: 'reading' | 'saving' | 'done'
  done: number
  total: number
  finished: boolean
  report: BackfillReport | null
  error: { code: string; vi: string; en: string; fields?: { field: string; code: string; vi: string; en: string }[] } | null
}

export interface Bucket {
  key: string
  label: string
  count: number
}

export interface ReportSummary {
  from: string
  to: string
  total: number
  by_day: Bucket[] | null
  by_unit: Bucket[] | null
  by_purpose: Bucket[] | null
  by_status: Bucket[] | null
  by_channel: Bucket[] | null
}

export interface RegisterLine {
  stt: number
  so_giay: string
  ho_ten: string
  nam_sinh: string
  cccd: string
  noi_cu_tru: string
  muc_dich: string
  lo_trinh: string
  thoi_han: string
  nguoi_ky: string
  ngay_cap: string
  ghi_chu: string
}

export interface Register {
  day: string
  office: string
  lines: RegisterLine[] | null
}

export interface PurgeResult {
  retention_days: number
  expired_before: string
  applications: number
  permits: number
  scan_pages: number
  blobs: number
  message_vi: string
  message_en: string
}

export type ListRole = 'receive' | 'review' | 'sign' | 'admin'

export interface AccountRegistration {
  id: string
  version: number
  full_name: string
  id_number: string
  title: string
  unit: string
  phone: string
  email: string
  role: ListRole | ''
  acts_for: string[] | null
  has_token: boolean
  role_vi?: string
}

export interface AccountListHeader {
  sending_unit: string
  sending_unit_code: string
  signer: string
  signer_title: string
  date: string
}

export const BackfillService = {
  Template: () => call<string>('BackfillService', 'Template'),
  Submit: (form: BackfillForm, scanName: string, scanB64: string) => call<Permit>('BackfillService', 'Submit', form, scanName, scanB64),
  StartImport: (name: string, b64: string, commit: boolean) => call<string>('BackfillService', 'StartImport', name, b64, commit),
  Job: (id: string) => call<BackfillJob>('BackfillService', 'Job', id),
  Cancel: (id: string) => call<null>('BackfillService', 'Cancel', id),
}

export const ReportService = {
  Summary: (from: string, to: string) => call<ReportSummary>('ReportService', 'Summary', from, to),
  Register: (day: string) => call<Register>('ReportService', 'Register', day),
  RegisterPDF: (day: string) => call<string>('ReportService', 'RegisterPDF', day),
  RegisterXLSX: (day: string) => call<string>('ReportService', 'RegisterXLSX', day),
  Retention: () => call<number>('ReportService', 'Retention'),
  SetRetention: (days: number) => call<number>('ReportService', 'SetRetention', days),
  Purge: () => call<PurgeResult>('ReportService', 'Purge'),
}

export const AccountListService = {
  List: async (): Promise<AccountRegistration[]> => (await call<AccountRegistration[] | null>('AccountListService', 'List')) ?? [],
  Save: (r: AccountRegistration) => call<AccountRegistration>('AccountListService', 'Save', r),
  Delete: (id: string, version: number) => call<null>('AccountListService', 'Delete', id, version),
  Export: (h: AccountListHeader) => call<string>('AccountListService', 'Export', h),
  Template: () => call<string>('AccountListService', 'Template'),
}
