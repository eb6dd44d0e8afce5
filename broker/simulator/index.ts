export { startSimulator } from './server';
export type { SimulatorHandle } from './server';
export type { SimulatorOptions } from './simulator-options';
export type { SimulatorControl } from './simulator-control';
export type { ClockInfo } from './clock-info';
export type { FaultConfig, FaultKind, ScriptedFault } from './faults';
export { faultsFromEnv } from './faults';
export { Market, HISTORY_START } from './market';
export { TradingCalendar, tradingCalendar, nyseHolidays } from './nyse-calendar';
