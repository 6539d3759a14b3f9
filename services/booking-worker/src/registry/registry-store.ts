import type { Prisma } from '@khiw/db';

/**
 * booking.registry_vaccinated, the national registry's list of people already vaccinated,
 * filled through a temporary staging table on ONE transaction: rows are staged as they
 * arrive and land in the registry only at the end (landStaged), so a broken-off import
 * leaves nothing behind.
 */
export class RegistryStore {
  constructor(private readonly tx: Prisma.TransactionClient) {}

  /** The staging table; dropped when the transaction ends. */
  async createStaging(): Promise<void> {
    await this.tx.$executeRawUnsafe(
      'CREATE TEMP TABLE registry_import (citizen_id text NOT NULL) ON COMMIT DROP',
    );
  }

  async stage(citizenIds: string[]): Promise<void> {
    await this.tx.$executeRaw`INSERT INTO registry_import (citizen_id) SELECT unnest(${citizenIds}::text[])`;
  }

  /**
   * Moves the staged IDs into the registry (or into eligibility list `list`) under `source`;
   * returns how many were new. In
   * citizen-ID order: two imports landing the same IDs at once then take their row locks in the
   * same order and one waits for the other, where any other order can deadlock (40P01, a 500).
   */
  landStaged(source: string, list?: string): Promise<number> {
    if (list !== undefined) {
      return this.tx.$executeRaw`
        INSERT INTO booking.eligibility_list_members (list, citizen_id, source)
        SELECT DISTINCT ${list}, citizen_id, ${source} FROM registry_import
        ORDER BY 2
        ON CONFLICT (list, citizen_id) DO NOTHING`;
    }
    return this.tx.$executeRaw`
      INSERT INTO booking.registry_vaccinated (citizen_id, source)
      SELECT DISTINCT citizen_id, ${source} FROM registry_import
      ORDER BY citizen_id
      ON CONFLICT (citizen_id) DO NOTHING`;
  }
}
