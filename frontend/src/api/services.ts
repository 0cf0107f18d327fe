import { call } from './transport'
import type {
  Application,
  ApplicationInput,
  ApplicationPage,
  AuthStatus,
  CCCDCard,
  ListFilter,
  Meta,
  Permit,
  PrintJob,
  Printer,
  TrustStatus,
  Verification,
  Rules,
  RulesInput,
  Settings,
  SetupInput,
  Unit,
  User,
  UserInfo,
  UserInput,
} from './types'

export const AuthService = {
  Status: () => call<AuthStatus>('AuthService', 'Status'),
  Login: (username: string, password: string) => call<UserInfo>('AuthService', 'Login', username, password),
  Logout: () => call<null>('AuthService', 'Logout'),
  Lock: () => call<null>('AuthService', 'Lock'),
  Unlock: (password: string) => call<null>('AuthService', 'Unlock', password),
  Setup: (input: SetupInput) => call<UserInfo>('AuthService', 'Setup', input),
  /** Tells the backend the user is active (typing without calling it), so its idle lock agrees. */
  Touch: () => call<null>('AuthService', 'Touch'),
}

export const UnitService = {
  Provinces: () => call<Unit[]>('UnitService', 'Provinces'),
  Children: (parentCode: string) => call<Unit[]>('UnitService', 'Children', parentCode),
  Get: (code: string) => call<Unit>('UnitService', 'Get', code),
}

export const MetaService = {
  Get: () => call<Meta>('MetaService', 'Get'),
}

export const RulesService = {
  Current: () => call<Rules>('RulesService', 'Current'),
  Update: (input: RulesInput) => call<Rules>('RulesService', 'Update', input),
  History: () => call<Rules[]>('RulesService', 'History'),
}

export const ApplicationService = {
  Add: (input: ApplicationInput) => call<Application>('ApplicationService', 'Add', input),
  SaveDraft: (input: ApplicationInput) => call<Application>('ApplicationService', 'SaveDraft', input),
  Submit: (id: string) => call<Application>('ApplicationService', 'Submit', id),
  Get: (id: string) => call<Application>('ApplicationService', 'Get', id),
  List: (filter: ListFilter) => call<ApplicationPage>('ApplicationService', 'List', filter),
  Approve: (id: string) => call<Application>('ApplicationService', 'Approve', id),
  Reject: (id: string, reason: string) => call<Application>('ApplicationService', 'Reject', id, reason),
  ParseCCCDQR: (text: string) => call<CCCDCard>('ApplicationService', 'ParseCCCDQR', text),
  DecodeCCCDImage: (base64: string) => call<CCCDCard>('ApplicationService', 'DecodeCCCDImage', base64),
}

export const SettingsService = {
  Get: () => call<Settings>('SettingsService', 'Get'),
  Update: (s: Settings) => call<Settings>('SettingsService', 'Update', s),
}

export const UserService = {
  List: () => call<User[]>('UserService', 'List'),
  Add: (input: UserInput) => call<User>('UserService', 'Add', input),
  SetActive: (id: string, active: boolean) => call<User>('UserService', 'SetActive', id, active),
  ResetPassword: (id: string, password: string) => call<null>('UserService', 'ResetPassword', id, password),
}

// The printing types are Go structs: with json tags they arrive as {name, ...}, without
// them as {Name, ...}. Accept both, so the screens see one shape.
function field(o: unknown, lower: string): unknown {
  if (typeof o !== 'object' || o === null) return undefined
  const rec = o as Record<string, unknown>
  if (lower in rec) return rec[lower]
  return rec[lower.charAt(0).toUpperCase() + lower.slice(1)]
}

function strField(o: unknown, name: string): string {
  const v = field(o, name)
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v)
}

export function normalizePrinter(o: unknown): Printer {
  return {
    name: strField(o, 'name'),
    description: strField(o, 'description'),
    state: strField(o, 'state') || 'unknown',
    default: field(o, 'default') === true,
    accepting: field(o, 'accepting') !== false,
  }
}

export function normalizeJob(o: unknown): PrintJob {
  return { id: strField(o, 'id') || strField(o, 'ID'), printer: strField(o, 'printer') }
}

export const PermitService = {
  Issue: (applicationId: string) => call<Permit>('PermitService', 'Issue', applicationId),
  Get: (number: string) => call<Permit>('PermitService', 'Get', number),
  /** The application's permit, or null when none was issued. */
  ForApplication: (applicationId: string) => call<Permit | null>('PermitService', 'ForApplication', applicationId),
  MarkHandSigned: (number: string) => call<Permit>('PermitService', 'MarkHandSigned', number),
  HandOver: (number: string) => call<Permit>('PermitService', 'HandOver', number),
  /** Approvers only. */
  Revoke: (number: string, reason: string) => call<Permit>('PermitService', 'Revoke', number, reason),
  /** Base64 PDF as it would print; does not count a copy. */
  Preview: (numbers: string[], a4: boolean) => call<string>('PermitService', 'Preview', numbers, a4),
  /** printer '' = the office default. */
  Print: async (numbers: string[], printer: string, a4: boolean): Promise<PrintJob> =>
    normalizeJob(await call<unknown>('PermitService', 'Print', numbers, printer, a4)),
  Printers: async (): Promise<Printer[]> => {
    const list = await call<unknown[] | null>('PermitService', 'Printers')
    return (list ?? []).map(normalizePrinter)
  },
  /** Base64 PDF of the blank paper application form. */
  FormPreview: (a4: boolean) => call<string>('PermitService', 'FormPreview', a4),
  PrintForm: async (printer: string, copies: number, a4: boolean): Promise<PrintJob> =>
    normalizeJob(await call<unknown>('PermitService', 'PrintForm', printer, copies, a4)),
}

export const VerifyService = {
  Text: (text: string) => call<Verification>('VerifyService', 'Text', text),
  /** base64 PNG/JPEG */
  Image: (base64: string) => call<Verification>('VerifyService', 'Image', base64),
  /** base64 PDF: one verification per page. */
  PDF: async (base64: string): Promise<Verification[]> =>
    (await call<Verification[] | null>('VerifyService', 'PDF', base64)) ?? [],
  TrustStatus: () => call<TrustStatus>('VerifyService', 'TrustStatus'),
}
