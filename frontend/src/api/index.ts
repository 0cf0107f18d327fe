export * from './types'
export { ApiError, parseApiError, fieldText, ERROR_CODES, type DuplicateRecord } from './errors'
export type { ErrorCode, FieldError } from './errors'
export { call, onApiError, isWails, emitEvent } from './transport'
export {
  AuthService,
  UnitService,
  MetaService,
  RulesService,
  ApplicationService,
  SettingsService,
  UserService,
  PermitService,
  VerifyService,
  TokenService,
  SyncService,
  normalizePrinter,
  normalizeJob,
  normalizeToken,
  normalizeKey,
  normalizeSignJob,
} from './services'

export { ScanService, scanReason } from './scans'
export type { AttachmentState, ScanJob, ScanPage, ScanPageResult, ScanStatus } from './scans'
export { CounterService } from './counter'
export type { Changes, IssuedPrint, ReadyItem, ReadyPrint, ReadyStage } from './counter'

export { BackfillService, ReportService, AccountListService } from './paperwork'
export type {
  BackfillForm,
  BackfillProblem,
  BackfillReport,
  BackfillJob,
  Bucket,
  ReportSummary,
  Register,
  RegisterLine,
  PurgeResult,
  ListRole,
  AccountRegistration,
  AccountListHeader,
} from './paperwork'
