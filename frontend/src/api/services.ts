import { call } from './transport'
import type {
  Application,
  ApplicationInput,
  ApplicationPage,
  AuthStatus,
  CCCDCard,
  ListFilter,
  Meta,
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
