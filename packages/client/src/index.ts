/**
 * `@netwark/client`: a typed `fetch` client for the Netwark REST API `/api/v1`, for Node and
 * browsers, with live operation results over Server-Sent Events. The types are generated from
 * the server's committed OpenAPI document.
 *
 * @module
 */
export {
  createClient,
  finalStatuses,
  type BodyOf,
  type CallOptions,
  type Client,
  type ClientOptions,
  type CreateOperation,
  type EventsOptions,
  type GeoIpRecord,
  type Health,
  type IpCalcInfo,
  type IpCalcSubnets,
  type MacOuiMatch,
  type MacOuiPage,
  type Method,
  type Operation,
  type OperationDetail,
  type OperationEvent,
  type OperationPage,
  type OperationQuery,
  type OperationStatus,
  type Paths,
  type ProgressEvent,
  type QueryOf,
  type Queues,
  type ResponseOf,
  type WhoisLookup,
  type WorkerResult,
  type Workers,
} from "./Client.js"
export {
  ClientError,
  isClientError,
  type ClientErrorOptions,
  type ProblemDetails,
  type Reason,
} from "./ClientError.js"
export * as Sse from "./Sse.js"
export type { components, operations, paths } from "./generated/openapi.js"
