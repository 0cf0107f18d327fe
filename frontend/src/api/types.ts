// JSON shapes exchanged with the Go services (package `desktop`). snake_case on purpose:
// these mirror the backend's JSON tags exactly.

export type Role = 'clerk' | 'approver' | 'office_admin'
export type AppStatus = 'draft' | 'submitted' | 'approved' | 'rejected'
export type Gender = 'male' | 'female'
export type VehicleType = 'walk' | 'bicycle' | 'motorbike' | 'car' | 'truck' | 'other'
export type UnitLevel = 'province' | 'district' | 'commune'

export interface UserInfo {
  id: string
  username: string
  full_name: string
  role: Role
}

/** What a role may do (Go `auth.Permission`); the window offers only what is listed. */
export type Permission =
  | 'application.enter'
  | 'application.view'
  | 'application.decide'
  | 'rules.manage'
  | 'users.manage'
  | 'settings.manage'
  | 'permit.backfill'
  | 'sync.view'

/** The signed-in user with what they may do (Go `app.SessionUser`). */
export interface SessionUser extends UserInfo {
  permissions: Permission[]
}

/** What the user may do with an application now (Go `domain.Action`, from `auth.ApplicationActions`). */
export type ApplicationAction = 'submit' | 'approve' | 'reject' | 'issue'

/** What the user may do with a permit now (Go `domain.Action`, from `auth.PermitActions`). */
export type PermitAction = 'preview' | 'print' | 'mark_hand_signed' | 'sign' | 'hand_over' | 'revoke'

export interface OfficeInfo {
  name: string
  unit_code: string
  unit_name: string
  province_code: string
  province_name: string
  agency_kind: string
  demo: boolean
  /** who runs the system for the province, e.g. "Sở Khoa học và Công nghệ tỉnh Đồng Tháp" */
  department: string
  /** set when the office's own unit no longer exists: the office admin chooses today's */
  unit_ended: UnitEnded | null
}

export interface UnitEnded {
  name: string
  /** YYYY-MM-DD, '' when unknown */
  since: string
  suggested: Unit[]
}

export interface AuthStatus {
  initialized: boolean
  office: OfficeInfo | null
  user: SessionUser | null
  locked: boolean
  idle_lock_minutes: number
  /** Account changes the signed-in approver has not acknowledged yet (oldest first). */
  account_notices?: AccountNotice[] | null
  /** The newest list's issue time when the PC's clock is behind it. */
  clock_behind_lists?: string | null
}

/** One audited account change shown to the office's approvers at login. */
export interface AccountNotice {
  seq: number
  event_id: string
  hash: string
  at: string
  actor: string
  action: string
  user_id: string
  username: string
  full_name: string
  role: string
  details: unknown
}

export interface Unit {
  code: string
  name: string
  level: UnitLevel
  parent_code: string
  type: string
  /** first day in force, '' = before the lists held */
  valid_from: string
  /** first day no longer in force, '' = in force */
  valid_to: string
  successors: string[] | null
}

/** A commune found by name, with its province. */
export interface CommuneHit extends Unit {
  province_name: string
}

export interface Purpose {
  code: string
  vi: string
  en: string
}

export interface Rules {
  unit_code: string
  version: number
  permits_required: boolean
  purposes: Purpose[]
  max_days: number
  curfew_start: string
  curfew_end: string
  updated_at: string
  updated_by: string
}

export interface RulesInput {
  permits_required: boolean
  purposes: Purpose[]
  max_days: number
  curfew_start: string
  curfew_end: string
}

/** How a new application (or a draft's edit) is saved. */
export interface AddOptions {
  draft: boolean
  allow_duplicate: boolean
}

export interface ApplicationInput {
  full_name: string
  birth_date: string
  gender: Gender | ''
  id_number: string
  phone: string
  residence_commune_code: string
  residence_street: string
  /** the ID card's address as the card gave it (may name units that no longer exist) */
  card_address: string
  workplace: string
  purpose_code: string
  route_from: string
  route_to: string
  vehicle_type: VehicleType | ''
  vehicle_plate: string
  valid_from: string
  valid_to: string
  note: string
}

export interface Application extends ApplicationInput {
  id: string
  version: number
  status: AppStatus
  reject_reason: string
  /** the commune's name and its place (commune, province) as of the application's date */
  residence_commune_name: string
  residence_place: string
  office_unit_name: string
  created_by: string
  created_by_name: string
  decided_by_name: string
  decided_at: string | null
  created_at: string
  updated_at: string
  /** What the user asking may do with it now; null where no user asked (inside a permit). */
  actions: ApplicationAction[] | null
  /** "Giấy cấp thủ công, đã nhập bổ sung" when it is a paper permit entered afterwards. */
  mark?: string
}

export interface ListFilter {
  status: string
  purpose_code: string
  date_from: string
  date_to: string
  search: string
  page: number
  page_size: number
}

export interface ApplicationPage {
  items: Application[]
  total: number
  page: number
  page_size: number
}

export interface CCCDCard {
  id_number: string
  old_id_number: string
  full_name: string
  birth_date: string
  gender: Gender
  address: string
  issue_date: string
  residence_commune_code: string
  residence_street: string
}

/** A form after an ID card was read into it (Go `app.CardFill`): the backend decides which fields the card fills. */
export interface CardFill {
  input: ApplicationInput
  card: CCCDCard
}

/** What the clerk asks for as the citizen takes the permit (app.HandOverOptions). */
export interface HandOverOptions {
  /** The leader signed and stamped a permit still waiting for the hand signature (the ready panel). */
  hand_signed?: boolean
  print_copy: boolean
  /** '' = the office default printer. */
  printer: string
  a4: boolean
}

export interface Settings {
  idle_lock_minutes: number
  four_eyes: boolean
  /** The printer permits go to when none is chosen ('' = none set). */
  default_printer: string
  /** The certificate token's PKCS#11 library (the CA's driver); '' = not set. */
  pkcs11_library: string
  /** How the office key is held: 'tpm', 'dpapi' or 'file' (read-only; '' before set-up). */
  office_key_protection?: OfficeKeyProtection | string
  /** The largest scanned file an import takes, in MB. */
  scan_max_file_mb: number
}

export type OfficeKeyProtection = 'tpm' | 'dpapi' | 'file'

export interface SetupInput {
  office_name: string
  agency_kind: string
  unit_code: string
  admin_username: string
  admin_full_name: string
  admin_password: string
}

/** What the asking user may do with an account now (Go `domain.Action`, from `auth.UserActions`). */
export type UserAction = 'enroll_key' | 'deactivate' | 'activate'

export interface User {
  id: string
  username: string
  full_name: string
  role: Role
  active: boolean
  locked_until: string | null
  actions: UserAction[] | null
}

export interface UserInput {
  username: string
  full_name: string
  role: Role
  password: string
}

export interface LabeledCode {
  code: string
  vi: string
  en: string
}

export interface VehicleTypeMeta extends LabeledCode {
  /** omitted by the backend when false */
  needs_plate?: boolean
}

export interface Meta {
  /** the build's version: git tag or commit */
  version: string
  agency_kinds: LabeledCode[]
  vehicle_types: VehicleTypeMeta[]
  statuses: LabeledCode[]
}

// ---- permits ------------------------------------------------------------------------------

export type PermitStatus = 'signed' | 'awaiting_hand_signature' | 'hand_signed' | 'issued' | 'revoked'
export type SignatureKind = 'digital' | 'hand'

export interface Permit {
  id: string
  version: number
  /** `<unit code>/<year>/<6-digit sequence>` */
  number: string
  unit_code: string
  year: number
  seq: number
  application_id: string
  status: PermitStatus
  /** The signed `GDD1:` text exactly as in the QR: it may end with spaces, never trim it. */
  qr: string
  key_id: string
  signature_kind: SignatureKind
  signer_name: string
  signer_title: string
  issued_at: string
  issued_by: string
  hand_signed_at: string | null
  handed_over_at: string | null
  revoked_at: string | null
  revoke_reason: string
  revoked_by: string | null
  print_count: number
  created_at: string
  updated_at: string
  /** When a leader signed it with a USB token (status `signed`). */
  signed_at: string | null
  /** The user id of the leader who signed it with a token. */
  signed_by: string | null
  /** The signed PDF's content hash ('' when none). */
  signed_pdf: string
  /** The validity window is over (derived by the backend). */
  expired: boolean
  /** A leader has signed it (by hand or with a token); until then signer_name is only whom the paper names. */
  signed: boolean
  application: Application
  /** What the user asking may do with it now (null only from gddctl's `permit show`). */
  actions: PermitAction[] | null
  /** "Giấy cấp thủ công, đã nhập bổ sung" for a paper permit entered afterwards (no QR). */
  mark?: string
  /** walk_in, or paper_backfill */
  channel?: string
  /** the number written on the paper (paper permits) */
  paper_number?: string
}

export type PrinterState = 'idle' | 'printing' | 'paused' | 'offline' | 'unknown'

/** A printer of this computer (normalised by services.ts: the backend may send Go field names). */
export interface Printer {
  name: string
  description: string
  state: PrinterState | string
  /** The system's default printer (not the office's). */
  default: boolean
  accepting: boolean
}

/** A print job handed to the spooler (normalised by services.ts). */
export interface PrintJob {
  id: string
  printer: string
}

// ---- verification -------------------------------------------------------------------------

export type VerifyResult =
  | 'VALID'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'REVOKED'
  | 'UNKNOWN_SIGNER'
  | 'BAD_SIGNATURE'
  | 'MALFORMED'
  | 'LISTS_EXPIRED'

export type VerifyWarning = 'trust_list_stale' | 'revocation_list_stale' | 'revocation_list_missing' | 'curfew'

/** What the QR says. Vouched for only when the signature checked out. */
export interface VerifiedPermit {
  number: string
  full_name: string
  birth_year?: number
  id_last4?: string
  purpose_code?: string
  route_from: string
  route_to: string
  vehicle_plate?: string
  /** 'YYYY-MM-DD' */
  valid_from: string
  valid_to: string
  unit_code: string
  issued_at: string
  key_id: string
}

/** The trust list entry of the key that signed. */
export interface SignerEntry {
  key_id: string
  public_key: string
  kind: KeyKind | string
  /** The leader's name for a token; the office's name for an office key. */
  officer: string
  officer_title?: string
  unit_code: string
  valid_from: string
  valid_to: string
}

export interface RevocationEntry {
  number: string
  reason: string
  revoked_at: string
}

export interface TrustStatus {
  root_fingerprint: string
  trust_sequence: number
  revocation_sequence: number
  /** The earlier of the two lists' expiries; after it nothing verifies. */
  expires_at: string
  expired: boolean
  trust_issued_at: string
  revocation_issued_at: string
  imported_at: string
  entries: number
  revoked: number
  age_hours: number
  stale: boolean
  max_age_hours: number
}

export interface Verification {
  /** A VerifyResult; kept open to tolerate a status this screen does not know yet. */
  result: VerifyResult | string
  warnings: (VerifyWarning | string)[] | null
  permit?: VerifiedPermit
  signer?: SignerEntry
  revocation?: RevocationEntry
  /** Set when the key that signed was revoked (retired). */
  key_revocation?: { key_id: string; reason: string; revoked_at: string }
  /** nanoseconds */
  trust_age: number
  revocation_age: number
  /** English, for support; not for the verdict. */
  detail?: string
  /** Absent for a PDF page without a readable QR. */
  trust?: TrustStatus
  /** Set when the text is the number of a paper permit entered afterwards (it has no QR). */
  paper?: { mark: string; number: string; paper_number: string; issued_on: string; status: string }
}

// ---- leaders' signing tokens (USB keys) ---------------------------------------------------

export type TokenKind = 'fido' | 'pkcs11'

/** A signing token plugged into this computer now. */
export interface TokenInfo {
  kind: TokenKind | string
  /** FIDO: the HID device path. */
  path: string
  /** PKCS#11: the module (library) path. */
  library: string
  /** PKCS#11: the slot. */
  slot: number
  label: string
  manufacturer: string
  serial: string
  /** The software key of the demo and the tests, not a real device. */
  software: boolean
  needs_pin: boolean
  pin_locked: boolean
  /** One more wrong PIN locks the token. */
  pin_final_try: boolean
}

/** Names a token for Enroll and StartSign. */
export interface TokenRef {
  kind: TokenKind
  path?: string
  library?: string
  slot?: number
}

export type KeyKind = 'office' | 'fido' | 'pkcs11'

/** A key enrolled in this office: the office key or a leader's token. */
export interface SigningKey {
  key_id: string
  kind: KeyKind | string
  algorithm: 'ES256' | 'RS256' | string
  /** The officer's full name. */
  officer: string
  user_id: string | null
  username: string
  unit_code: string
  token_label: string
  cert_subject: string
  cert_issuer: string
  valid_from: string | null
  valid_to: string | null
  created_at: string
  /** The current provincial trust list holds the key (checkpoints accept what it signs). */
  trusted: boolean
}

export interface EnrollInput {
  /** The approver's username. */
  officer: string
  token: TokenRef
  pin: string
  /** PKCS#11: the chosen certificate's fingerprint; omitted = the token's ECDSA one, else RSA. */
  certificate?: string
}

/** A certificate on a PKCS#11 token, offered when enrolling. */
export interface TokenCertificate {
  fingerprint: string
  label: string
  subject_cn: string
  subject_o: string
  issuer: string
  not_before: string
  not_after: string
  key_type: 'EC' | 'RSA' | string
  /** An ECDSA P-256 key signs the QR as well as the PDF; an RSA key only the PDF. */
  signs_qr: boolean
  /** Current, with its private key on the token. */
  usable: boolean
}

export interface SignInput {
  /** Permit numbers. */
  numbers: string[]
  token: TokenRef
  pin: string
}

/** An error as the backend sends it inside a result (see errors.ts for the typed form). */
export interface WireError {
  code: string
  vi: string
  en: string
  fields?: { field: string; code: string; vi: string; en: string }[] | null
}

export type SignStop = '' | 'removed' | 'cancelled' | 'error'

export interface SignResult {
  signed: string[]
  unsigned: string[]
  total: number
  stopped: SignStop | string
  message_vi: string
  message_en: string
  /** What stopped the batch, when something did (its words are already in the message). */
  error: WireError | null
}

/** A batch signing in the background (normalised by services.ts: lists are never null). */
export interface SignJob {
  id: string
  total: number
  done: number
  /** The token waits for the leader's touch. */
  waiting_touch: boolean
  /** The permit number being signed. */
  current: string
  finished: boolean
  result: SignResult | null
  error: WireError | null
}

/** The demo's software key: present only when the server runs with it. */
export interface SoftKeyState {
  present: boolean
  plugged: boolean
}

// ---- sync (Go app/syncstatus.go) ----

/** A record's sync state (Go `app.RecordSyncState`): chờ gửi, đã gửi, lỗi. */
export interface RecordSyncState {
  state: 'waiting' | 'sent' | 'error' | 'local'
  version: number
  reason?: string
  /** Files the province expects and holds; null until the attachments lane reports. */
  attachments: { expected: number; present: number } | null
}

/** A run in progress, or the last one (Go `app.SyncProgress`). */
export interface SyncProgress {
  running: boolean
  started_at: string | null
  total: number
  done: number
  bytes_sent: number
  bytes_received: number
}

/** A record the province did not take (Go `app.SyncAttention`). */
export interface SyncAttention {
  seq: number
  entity: string
  entity_id: string
  version: number
  status: string
  state: string
  reason: string
  at: string
  label: string
}

/** The sync panel (Go `app.SyncPanel`). */
export interface SyncPanel {
  enrolled: boolean
  server_url: string
  progress: SyncProgress
  pending: number
  pending_bytes: number
  last_attempt_at: string | null
  last_success_at: string | null
  last_error?: string
  attention: SyncAttention[]
  in_sync: boolean
  lists: { trust_issued_at: string; revocation_issued_at: string; age_hours: number; stale: boolean; expired: boolean } | null
  attachments: { expected: number; present: number } | null
}
