import pg from 'pg';
import { columnName, tableName, type Datamodel, type DmmfField, type DmmfModel } from './dmmf';

// Describes a schema in one canonical form, once from the Prisma datamodel (DMMF) and once
// from a migrated database's catalog, so that a test can compare the two as sorted lists of
// lines and print any difference, in either direction, as a readable diff.

export interface SchemaDescription {
  /** `booking.campaigns` */
  tables: string[];
  /** `booking.campaigns.opens_at timestamptz(3) not null` (+ ` default <expr>`) */
  columns: string[];
  /** `booking.slots slots_pkey primary key (campaign_id, id)`, `... unique index ...`, `... index ...` */
  indexes: string[];
  /** `booking.slots slots_campaign_id_fkey (campaign_id) -> booking.campaigns (id) on delete restrict on update cascade` */
  foreignKeys: string[];
  /** Constraints Prisma cannot describe (CHECK, exclusion, trigger): `booking.slots slots_booked_check` */
  checks: string[];
}

// ---------------------------------------------------------------------------------------
// From the Prisma datamodel

const qualified = (model: DmmfModel): string => `${model.schema ?? 'public'}.${tableName(model)}`;

function columnType(field: DmmfField): string {
  if (field.isList || field.kind !== 'scalar')
    throw new Error(`No mapping for ${field.name}: extend columnType`);
  const [native, args = []] = field.nativeType ?? [];
  const key = `${field.type}:${native ?? ''}`;
  const simple: Record<string, string> = {
    'String:': 'text',
    'String:Text': 'text',
    'String:Uuid': 'uuid',
    'Int:': 'int4',
    'Int:Integer': 'int4',
    'BigInt:': 'int8',
    'BigInt:BigInt': 'int8',
    'Boolean:': 'bool',
    'Float:': 'float8',
    'Json:': 'jsonb',
    'Json:JsonB': 'jsonb',
    'Json:Json': 'json',
    'Bytes:': 'bytea',
    'DateTime:Date': 'date',
    'DateTime:': 'timestamp(3)',
  };
  if (simple[key]) return simple[key];
  if (key === 'DateTime:Timestamptz') return `timestamptz(${args[0] ?? 6})`;
  if (key === 'DateTime:Timestamp') return `timestamp(${args[0] ?? 6})`;
  if (key === 'String:VarChar') return args[0] ? `varchar(${args[0]})` : 'varchar';
  throw new Error(`No mapping for ${field.name} (${key}): extend columnType`);
}

function columnDefault(field: DmmfField, type: string): string | null {
  if (!field.hasDefaultValue) return null;
  const value = field.default;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return `'${value.replace(/'/g, "''")}'::${type}`;
  const fn = value as { name: string; args: unknown[] };
  if (fn.name === 'now') return 'now()';
  if (fn.name === 'autoincrement') return 'autoincrement()';
  if (fn.name === 'dbgenerated') return String(fn.args[0]);
  throw new Error(`No mapping for the default of ${field.name}: extend columnDefault`);
}

/** Prisma's default constraint and index names (all of ours are far below 63 characters). */
const defaultName = (table: string, columns: string[], suffix: string): string =>
  `${table}_${columns.join('_')}_${suffix}`;

const ACTIONS: Record<string, string> = {
  Cascade: 'cascade',
  Restrict: 'restrict',
  NoAction: 'no action',
  SetNull: 'set null',
  SetDefault: 'set default',
};

export function describeDatamodel(datamodel: Datamodel): SchemaDescription {
  const byName = new Map(datamodel.models.map((model) => [model.name, model]));
  const model = (name: string): DmmfModel => {
    const found = byName.get(name);
    if (!found) throw new Error(`Unknown model ${name}`);
    return found;
  };
  const column = (m: DmmfModel, fieldName: string): string => {
    const field = m.fields.find((f) => f.name === fieldName);
    if (!field) throw new Error(`Unknown field ${m.name}.${fieldName}`);
    return columnName(field);
  };
  const description: SchemaDescription = {
    tables: [],
    columns: [],
    indexes: [],
    foreignKeys: [],
    checks: [],
  };
  for (const m of datamodel.models) {
    description.tables.push(qualified(m));
    for (const field of m.fields) {
      if (field.kind === 'object') {
        const from = field.relationFromFields ?? [];
        if (from.length === 0) continue;
        const target = model(field.type);
        const fromColumns = from.map((name) => column(m, name));
        const toColumns = (field.relationToFields ?? []).map((name) => column(target, name));
        const onDelete = field.relationOnDelete ?? (field.isRequired ? 'Restrict' : 'SetNull');
        const onUpdate = field.relationOnUpdate ?? 'Cascade';
        description.foreignKeys.push(
          `${qualified(m)} ${defaultName(tableName(m), fromColumns, 'fkey')} (${fromColumns.join(', ')}) -> ` +
            `${qualified(target)} (${toColumns.join(', ')}) on delete ${ACTIONS[onDelete]} on update ${ACTIONS[onUpdate]}`,
        );
        continue;
      }
      const type = columnType(field);
      const def = columnDefault(field, type);
      description.columns.push(
        `${qualified(m)}.${columnName(field)} ${type} ${field.isRequired ? 'not null' : 'null'}` +
          (def === null ? '' : ` default ${def}`),
      );
    }
  }
  for (const index of datamodel.indexes) {
    const m = model(index.model);
    const columns = index.fields.map((f) => column(m, f.name));
    const table = tableName(m);
    const [kind, suffix] =
      index.type === 'id'
        ? ['primary key', 'pkey']
        : index.type === 'unique'
          ? ['unique index', 'key']
          : index.type === 'normal'
            ? ['index', 'idx']
            : ['fulltext', 'fulltext'];
    const name =
      index.dbName ?? (index.type === 'id' ? `${table}_pkey` : defaultName(table, columns, suffix));
    description.indexes.push(`${qualified(m)} ${name} ${kind} (${columns.join(', ')})`);
  }
  return description;
}

// ---------------------------------------------------------------------------------------
// From the database

function canonicalDefault(expression: string | null): string | null {
  if (expression === null) return null;
  if (/^nextval\(/.test(expression)) return 'autoincrement()';
  if (expression === 'CURRENT_TIMESTAMP' || expression === 'now()') return 'now()';
  return expression;
}

export async function describeDatabase(databaseUrl: string, schemas: string[]): Promise<SchemaDescription> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const q = async (sql: string): Promise<Record<string, unknown>[]> =>
      (await client.query(sql, [schemas])).rows;
    const tables = await q(`
      SELECT table_schema || '.' || table_name AS line FROM information_schema.tables
       WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE'`);
    const columns = await q(`
      SELECT table_schema, table_name, column_name, udt_name, is_nullable, column_default,
             datetime_precision, character_maximum_length
        FROM information_schema.columns WHERE table_schema = ANY($1)`);
    const indexes = await q(`
      SELECT n.nspname || '.' || t.relname || ' ' || i.relname || ' ' ||
             CASE WHEN ix.indisprimary THEN 'primary key' WHEN ix.indisunique THEN 'unique index' ELSE 'index' END ||
             ' (' || array_to_string(array(
               SELECT coalesce(a.attname::text, '<expression>')
                 FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
                 LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                ORDER BY k.ord), ', ') || ')' ||
             coalesce(' where ' || pg_get_expr(ix.indpred, ix.indrelid), '') AS line
        FROM pg_index ix
        JOIN pg_class i ON i.oid = ix.indexrelid
        JOIN pg_class t ON t.oid = ix.indrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
       WHERE n.nspname = ANY($1)`);
    const constraints = await q(`
      SELECT c.contype, n.nspname || '.' || t.relname AS table_name, c.conname,
             array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
             rn.nspname || '.' || rt.relname AS ref_table,
             array(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS ref_columns,
             c.confdeltype, c.confupdtype
        FROM pg_constraint c
        JOIN pg_class t ON t.oid = c.conrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        LEFT JOIN pg_class rt ON rt.oid = c.confrelid
        LEFT JOIN pg_namespace rn ON rn.oid = rt.relnamespace
       WHERE n.nspname = ANY($1) AND c.contype IN ('c', 'f', 'x', 't')`);
    const action: Record<string, string> = {
      a: 'no action',
      r: 'restrict',
      c: 'cascade',
      n: 'set null',
      d: 'set default',
    };
    return {
      tables: tables.map((row) => String(row.line)),
      columns: columns.map((row) => {
        const base = String(row.udt_name);
        const precision = row.datetime_precision;
        const type = base.startsWith('timestamp')
          ? `${base}(${String(precision)})`
          : row.character_maximum_length != null
            ? `${base}(${String(row.character_maximum_length)})`
            : base;
        const def = canonicalDefault(row.column_default as string | null);
        return (
          `${String(row.table_schema)}.${String(row.table_name)}.${String(row.column_name)} ${type} ` +
          `${row.is_nullable === 'NO' ? 'not null' : 'null'}${def === null ? '' : ` default ${def}`}`
        );
      }),
      indexes: indexes.map((row) => String(row.line)),
      foreignKeys: constraints
        .filter((row) => row.contype === 'f')
        .map(
          (row) =>
            `${String(row.table_name)} ${String(row.conname)} (${(row.columns as string[]).join(', ')}) -> ` +
            `${String(row.ref_table)} (${(row.ref_columns as string[]).join(', ')}) ` +
            `on delete ${action[String(row.confdeltype)]} on update ${action[String(row.confupdtype)]}`,
        ),
      checks: constraints
        .filter((row) => row.contype !== 'f')
        .map((row) => `${String(row.table_name)} ${String(row.conname)}`),
    };
  } finally {
    await client.end();
  }
}
