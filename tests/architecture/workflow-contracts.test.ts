/**
 * Clients start workflows by name with the function types their contracts declare (no import of workflow
 * code outside workflows/). tsc checks here that each implementation has its contract's type.
 */
import { emergencyStopWorkflow, pairTradeWorkflow, pairsCycleWorkflow } from '../../workflows';
import { EMERGENCY_STOP_WORKFLOW, type EmergencyStopWorkflow } from '../../workflows/contracts/emergency-stop';
import { PAIR_TRADE_WORKFLOW, type PairTradeWorkflow } from '../../workflows/contracts/pair-trade';
import { PAIRS_CYCLE_WORKFLOW, type PairsCycleWorkflow } from '../../workflows/contracts/pairs-cycle';

test('each workflow is exported under its contract name with its contract type', () => {
  const typed: { [name: string]: PairTradeWorkflow | PairsCycleWorkflow | EmergencyStopWorkflow } = {
    [PAIR_TRADE_WORKFLOW]: pairTradeWorkflow satisfies PairTradeWorkflow,
    [PAIRS_CYCLE_WORKFLOW]: pairsCycleWorkflow satisfies PairsCycleWorkflow,
    [EMERGENCY_STOP_WORKFLOW]: emergencyStopWorkflow satisfies EmergencyStopWorkflow,
  };
  const exported = require('../../workflows') as Record<string, unknown>;
  for (const [name, fn] of Object.entries(typed)) expect(exported[name]).toBe(fn);
});
