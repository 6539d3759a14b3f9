export {
  answerForError,
  fieldsOf,
  internalStatusOf,
  NOT_JSON_FIELDS,
  parseOrAnswer,
  problemAnswer,
  sendAnswer,
  sendProblem,
  type InternalAnswer,
} from './internal-answer';
export {
  internalErrorHandler,
  internalNotFound,
  requireInternalToken,
  tokenAccepted,
} from './internal-routes';
export { storableInPostgres } from './storable';
