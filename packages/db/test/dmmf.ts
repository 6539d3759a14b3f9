import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

// Reads the DMMF (Prisma's parsed view of schema.prisma) by running `prisma generate` on a copy
// of the schema with one extra generator that writes the DMMF it receives to a file.

const PACKAGE_DIR = path.resolve(__dirname, '..');
export const SCHEMA_PATH = path.join(PACKAGE_DIR, 'prisma/schema.prisma');

export interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'object' | 'enum' | 'unsupported';
  type: string;
  isList: boolean;
  isRequired: boolean;
  isId: boolean;
  isUnique: boolean;
  hasDefaultValue: boolean;
  default?: unknown;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
}

export interface DmmfModel {
  name: string;
  dbName: string | null;
  schema: string | null;
  fields: DmmfField[];
}

export interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  dbName?: string;
  fields: { name: string }[];
}

export interface Datamodel {
  models: DmmfModel[];
  indexes: DmmfIndex[];
}

export async function loadDatamodel(): Promise<Datamodel> {
  const dir = await mkdtemp(path.join(tmpdir(), 'khiw-dmmf-'));
  try {
    const generator = path.join(PACKAGE_DIR, 'test/dmmf-dump-generator.mjs');
    const schema = await readFile(SCHEMA_PATH, 'utf8');
    await writeFile(
      path.join(dir, 'schema.prisma'),
      `${schema}\ngenerator khiw_dmmf {\n  provider = ${JSON.stringify(`node ${generator}`)}\n` +
        `  output   = ${JSON.stringify(path.join(dir, 'out'))}\n}\n`,
    );
    await promisify(execFile)(
      process.execPath,
      [
        path.join(PACKAGE_DIR, 'scripts/prisma.mjs'),
        'generate',
        '--schema',
        'schema.prisma',
        '--generator',
        'khiw_dmmf',
      ],
      { cwd: dir },
    );
    return JSON.parse(await readFile(path.join(dir, 'out/dmmf.json'), 'utf8')) as Datamodel;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const columnName = (field: DmmfField): string => field.dbName ?? field.name;
export const tableName = (model: DmmfModel): string => model.dbName ?? model.name;
