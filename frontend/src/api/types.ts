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

export interface OfficeInfo {
  name: string
  unit_code: string
  unit_name: string
  district_code: string
  province_code: string
  agency_kind: string
  demo: boolean
}

export interface AuthStatus {
  initialized: boolean
  office: OfficeInfo | null
  user: UserInfo | null
  locked: boolean
  idle_lock_minutes: number
}

export interface Unit {
  code: string
  name: string
  level: UnitLevel
  parent_code: string
  type: string
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

export interface ApplicationInput {
  full_name: string
  birth_date: string
  gender: Gender | ''
  id_number: string
  phone: string
  residence_commune_code: string
  residence_street: string
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
  residence_commune_name: string
  created_by: string
  created_by_name: string
  decided_by_name: string
  decided_at: string | null
  created_at: string
  updated_at: string
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

export interface Settings {
  idle_lock_minutes: number
  four_eyes: boolean
}

export interface SetupInput {
  office_name: string
  agency_kind: string
  unit_code: string
  admin_username: string
  admin_full_name: string
  admin_password: string
}

export interface User {
  id: string
  username: string
  full_name: string
  role: Role
  active: boolean
  locked_until: string | null
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
  agency_kinds: LabeledCode[]
  vehicle_types: VehicleTypeMeta[]
  statuses: LabeledCode[]
}
