import { call } from './transport'
import type {
  RecordSyncState,
  SyncPanel,
  Application,
  AddOptions,
  ApplicationInput,
  ApplicationPage,
  AuthStatus,
  CardFill,
  ListFilter,
  Meta,
  EnrollInput,
  Permit,
  PrintJob,
  SignInput,
  TokenCertificate,
  TokenRef,
  SignJob,
  SignResult,
  SigningKey,
  SoftKeyState,
  TokenInfo,
  WireError,
  Printer,
  TrustStatus,
  Verification,
  Rules,
  RulesInput,
  Settings,
  SetupInput,
  Unit,
  CommuneHit,
  OfficeInfo,
  User,
  UserInfo,
  UserInput,
} from './types'
import type { HandOverOptions } from './types'

export const AuthService = {
  Status: () => call<AuthStatus>('AuthService', 'Status'),
  Login: (username: string, password: string) => call<UserInfo>('AuthService', 'Login', username, password),
  Logout: () => call<null>('AuthService', 'Logout'),
  Lock: () => call<null>('AuthService', 'Lock'),
  Unlock: (password: string) => call<null>('AuthService', 'Unlock', password),
  Setup: (input: SetupInput) => call<UserInfo>('AuthService', 'Setup', input),
  AcknowledgeAccountNotices: (seq: number) => call<null>('AuthService', 'AcknowledgeAccountNotices', seq),
  /** Tells the backend the user is active (typing without calling it), so its idle lock agrees. */
  Touch: () => call<null>('AuthService', 'Touch'),
}

export const UnitService = {
  Provinces: () => call<Unit[]>('UnitService', 'Provinces'),
  Children: (parentCode: string) => call<Unit[]>('UnitService', 'Children', parentCode),
  Get: (code: string) => call<Unit>('UnitService', 'Get', code),
  Search: (query: string, provinceCode: string) => call<CommuneHit[]>('UnitService', 'Search', query, provinceCode),
  Versions: (code: string) => call<Unit[]>('UnitService', 'Versions', code),
  SetOfficeUnit: (code: string) => call<OfficeInfo>('UnitService', 'SetOfficeUnit', code),
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
  /** Saves a new application; allow_duplicate is the clerk's confirmation after a 'duplicate' error. */
  AddWith: (input: ApplicationInput, opts: AddOptions) => call<Application>('ApplicationService', 'AddWith', input, opts),
  /** Replaces a draft's content; without opts.draft it is also submitted. */
  UpdateDraft: (id: string, input: ApplicationInput, opts: AddOptions) =>
    call<Application>('ApplicationService', 'UpdateDraft', id, input, opts),
  /** An application's content as a new application's input (to correct a rejected one). */
  Copy: (id: string) => call<ApplicationInput>('ApplicationService', 'Copy', id),
  Submit: (id: string) => call<Application>('ApplicationService', 'Submit', id),
  Get: (id: string) => call<Application>('ApplicationService', 'Get', id),
  List: (filter: ListFilter) => call<ApplicationPage>('ApplicationService', 'List', filter),
  Approve: (id: string) => call<Application>('ApplicationService', 'Approve', id),
  Reject: (id: string, reason: string) => call<Application>('ApplicationService', 'Reject', id, reason),
  /** Reads a card's QR text into the form: the form back, with what the card fills. */
  ParseCCCDQR: (text: string, form: ApplicationInput) => call<CardFill>('ApplicationService', 'ParseCCCDQR', text, form),
  /** Reads the card in a photo or scan (base64) into the form. */
  DecodeCCCDImage: (base64: string, form: ApplicationInput) =>
    call<CardFill>('ApplicationService', 'DecodeCCCDImage', base64, form),
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
  /** Permits with this status ('' = all), e.g. 'awaiting_hand_signature'. */
  List: async (status: string): Promise<Permit[]> => (await call<Permit[] | null>('PermitService', 'List', status)) ?? [],
  Issue: (applicationId: string) => call<Permit>('PermitService', 'Issue', applicationId),
  Get: (number: string) => call<Permit>('PermitService', 'Get', number),
  /** The application's permit, or null when none was issued. */
  ForApplication: (applicationId: string) => call<Permit | null>('PermitService', 'ForApplication', applicationId),
  MarkHandSigned: (number: string) => call<Permit>('PermitService', 'MarkHandSigned', number),
  /** opts.print_copy prints the citizen a copy first; if it fails, nothing is handed over. */
  HandOver: (number: string, opts: HandOverOptions = { print_copy: false, printer: '', a4: false }) =>
    call<Permit>('PermitService', 'HandOver', number, opts),
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

// ---- signing tokens ------------------------------------------------------------------------
// Go omits empty fields tagged omitempty and sends nil slices as null: the screens get one
// complete shape.

function boolField(o: unknown, name: string): boolean {
  return field(o, name) === true
}

function numField(o: unknown, name: string): number {
  const v = field(o, name)
  return typeof v === 'number' && Number.isFinite(v) ? v : 0
}

function nullableStr(o: unknown, name: string): string | null {
  const v = field(o, name)
  return typeof v === 'string' && v !== '' ? v : null
}

function strList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
}

export function normalizeToken(o: unknown): TokenInfo {
  return {
    kind: strField(o, 'kind'),
    path: strField(o, 'path'),
    library: strField(o, 'library'),
    slot: numField(o, 'slot'),
    label: strField(o, 'label'),
    manufacturer: strField(o, 'manufacturer'),
    serial: strField(o, 'serial'),
    software: boolField(o, 'software'),
    needs_pin: boolField(o, 'needs_pin'),
    pin_locked: boolField(o, 'pin_locked'),
    pin_final_try: boolField(o, 'pin_final_try'),
  }
}

export function normalizeKey(o: unknown): SigningKey {
  return {
    key_id: strField(o, 'key_id'),
    kind: strField(o, 'kind'),
    algorithm: strField(o, 'algorithm'),
    officer: strField(o, 'officer'),
    user_id: nullableStr(o, 'user_id'),
    username: strField(o, 'username'),
    unit_code: strField(o, 'unit_code'),
    token_label: strField(o, 'token_label'),
    cert_subject: strField(o, 'cert_subject'),
    cert_issuer: strField(o, 'cert_issuer'),
    valid_from: nullableStr(o, 'valid_from'),
    valid_to: nullableStr(o, 'valid_to'),
    created_at: strField(o, 'created_at'),
    trusted: boolField(o, 'trusted'),
  }
}

function normalizeWireError(o: unknown): WireError | null {
  if (typeof o !== 'object' || o === null) return null
  const f = field(o, 'fields')
  return {
    code: strField(o, 'code'),
    vi: strField(o, 'vi'),
    en: strField(o, 'en'),
    fields: Array.isArray(f)
      ? f.map((x: unknown) => ({ field: strField(x, 'field'), code: strField(x, 'code'), vi: strField(x, 'vi'), en: strField(x, 'en') }))
      : [],
  }
}

function normalizeResult(o: unknown): SignResult | null {
  if (typeof o !== 'object' || o === null) return null
  const signed = strList(field(o, 'signed'))
  const unsigned = strList(field(o, 'unsigned'))
  return {
    signed,
    unsigned,
    total: numField(o, 'total') || signed.length + unsigned.length,
    stopped: strField(o, 'stopped'),
    message_vi: strField(o, 'message_vi'),
    message_en: strField(o, 'message_en'),
    error: normalizeWireError(field(o, 'error')),
  }
}

export function normalizeSignJob(o: unknown): SignJob {
  return {
    id: strField(o, 'id'),
    total: numField(o, 'total'),
    done: numField(o, 'done'),
    waiting_touch: boolField(o, 'waiting_touch'),
    current: strField(o, 'current'),
    finished: boolField(o, 'finished'),
    result: normalizeResult(field(o, 'result')),
    error: normalizeWireError(field(o, 'error')),
  }
}

export const TokenService = {
  /** The tokens plugged in now. */
  List: async (): Promise<TokenInfo[]> => ((await call<unknown[] | null>('TokenService', 'List')) ?? []).map(normalizeToken),
  /** The keys enrolled in this office. */
  Keys: async (): Promise<SigningKey[]> => ((await call<unknown[] | null>('TokenService', 'Keys')) ?? []).map(normalizeKey),
  /** Office admin: the certificates on a PKCS#11 token (logs in with the PIN). */
  Certificates: async (ref: TokenRef, pin: string): Promise<TokenCertificate[]> =>
    (await call<TokenCertificate[] | null>('TokenService', 'Certificates', ref, pin)) ?? [],
  /** Office admin: binds a token to an approver (a FIDO key waits for a touch). */
  Enroll: async (input: EnrollInput): Promise<SigningKey> => normalizeKey(await call<unknown>('TokenService', 'Enroll', input)),
  /** Approver: starts signing permits in the background; the job id. */
  StartSign: (input: SignInput) => call<string>('TokenService', 'StartSign', input),
  SignStatus: async (id: string): Promise<SignJob> => normalizeSignJob(await call<unknown>('TokenService', 'SignStatus', id)),
  CancelSign: (id: string) => call<null>('TokenService', 'CancelSign', id),
  /** The demo's software key. */
  SoftKey: async (): Promise<SoftKeyState> => {
    const s = await call<unknown>('TokenService', 'SoftKey')
    return { present: boolField(s, 'present'), plugged: boolField(s, 'plugged') }
  },
  SetSoftKeyPlugged: async (plugged: boolean): Promise<SoftKeyState> => {
    const s = await call<unknown>('TokenService', 'SetSoftKeyPlugged', plugged)
    return { present: boolField(s, 'present'), plugged: boolField(s, 'plugged') }
  },
  /** The office's keys as the trust-list request file for the province: JSON text (an array of the office's keys, as the province reads it). */
  TrustRequests: async (): Promise<string> => (await call<string | null>('TokenService', 'TrustRequests')) ?? '',
  /** Office admin: imports the province's trust bundle (base64 of the file); the new status. */
  ImportTrust: (base64: string) => call<TrustStatus>('TokenService', 'ImportTrust', base64),
}

export const SyncService = {
  Panel: () => call<SyncPanel>('SyncService', 'Panel'),
  States: (entity: 'application' | 'permit', ids: string[]) =>
    call<Record<string, RecordSyncState>>('SyncService', 'States', entity, ids),
  Now: () => call<boolean>('SyncService', 'Now'),
}
