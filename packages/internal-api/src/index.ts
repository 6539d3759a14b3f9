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
  type ErrorLogger,
  internalErrorHandler,
  internalNotFound,
  requireInternalToken,
  tokenAccepted,
} from './internal-routes';
export { storableInPostgres } from './storable';
