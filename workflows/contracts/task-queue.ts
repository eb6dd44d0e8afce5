/** The one task queue every pairs workflow and activity runs on (tests use their own). */
export const TASK_QUEUE = 'pairs';
