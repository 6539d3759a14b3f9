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
  answerInternalClientError,
  clientErrorListener,
  type ParserRefusal,
  type ErrorLogger,
  internalErrorHandler,
  internalNotFound,
  requireInternalToken,
  tokenAccepted,
} from './internal-routes';
export { storableInPostgres } from './storable';
