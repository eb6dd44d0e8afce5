/** Every workflow the worker runs; the bundle entry point (`workflowsPath`). */
export { pairsCycleWorkflow } from './pairs-cycle';
export { pairTradeWorkflow } from './pair-trade';
export { emergencyStopWorkflow } from './emergency-stop';
export { discoveryWorkflow } from './discovery';
