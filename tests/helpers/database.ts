import { createScratchDatabase, type ScratchDatabase } from '../../db/scratch-database';

export type TestDatabase = ScratchDatabase;

/** Creates a fresh, uniquely named database (`pairs_test_<label>_<random>`), migrated unless told not to. */
export function createTestDatabase(label: string, { migrate = true } = {}): Promise<TestDatabase> {
  return createScratchDatabase(`pairs_test_${label}`, { migrate, maxConnections: 5 });
}
