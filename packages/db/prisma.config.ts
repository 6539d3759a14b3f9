import { defineConfig } from 'prisma/config';

// Read by the Prisma CLI only. Applications get their URL from their own config module
// and pass it to createPrismaClient(). `prisma generate` needs no database; the default
// keeps the migrate/introspect commands working on a developer machine.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/khiw' },
});
