// The counter's "Sẵn sàng trả kết quả" panel and the change stamp the screens poll.
import { call } from './transport'
import { normalizeJob } from './services'
import type { Application, HandOverOptions, Permit, PrintJob } from './types'

export type ReadyStage = 'to_issue' | 'to_sign' | 'to_hand_over'

export interface ReadyItem {
  stage: ReadyStage
  application: Application
  permit?: Permit | null
  since: string
}

export interface IssuedPrint {
  permit: Permit
  job: PrintJob
}

export interface ReadyPrint {
  issued: string[] | null
  printed: string[] | null
  job: PrintJob
}

export interface Changes {
  stamp: number
  waiting: number
}

export const CounterService = {
  Ready: async (): Promise<ReadyItem[]> => (await call<ReadyItem[] | null>('PermitService', 'Ready')) ?? [],
  /** printer '' = the office default. */
  IssuePrint: async (applicationId: string, printer: string, a4: boolean): Promise<IssuedPrint> => {
    const r = await call<{ permit: Permit; job: unknown }>('PermitService', 'IssuePrint', applicationId, printer, a4)
    return { permit: r.permit, job: normalizeJob(r.job) }
  },
  HandOver: (number: string, opts: HandOverOptions) => call<Permit>('PermitService', 'HandOverReady', number, opts),
  PrintReady: async (printer: string, a4: boolean): Promise<ReadyPrint> => {
    const r = await call<{ issued: string[] | null; printed: string[] | null; job: unknown }>('PermitService', 'PrintReady', printer, a4)
    return { issued: r.issued, printed: r.printed, job: normalizeJob(r.job) }
  },
  Changes: () => call<Changes>('ApplicationService', 'Changes'),
}
