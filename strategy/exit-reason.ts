import type { ExitSignalType } from './signals';

/** Why a trade was closed: a cycle's signal, the operator's close, or the emergency stop. */
export type ExitReason = ExitSignalType | 'MANUAL' | 'EMERGENCY_STOP';
