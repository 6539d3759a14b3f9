/**
 * Prints the authorization table (markdown) that docs/reliability.md carries, rendered from
 * the route policies the gateway enforces:
 *
 *   node --import tsx services/gateway/src/cli/authz-table.ts
 */
import { renderAuthzTable } from '../auth/authz-table';

console.log(renderAuthzTable());
