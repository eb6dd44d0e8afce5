export { startSimulator } from './server';
export type { SimulatorOptions, SimulatorHandle, SimulatorControl, ClockInfo } from './server';
export type { FaultConfig, FaultKind, ScriptedFault } from './faults';
export { faultsFromEnv } from './faults';
export { Market, HISTORY_START } from './market';
export { TradingCalendar, tradingCalendar, nyseHolidays } from './nyse-calendar';
