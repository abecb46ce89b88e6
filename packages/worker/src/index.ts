/**
 * `@netwark/worker` as a library, for the server's embedded mode: run a worker in-process over
 * the in-process transport. The `netwark-worker` binary is `main.ts`.
 *
 * @module
 */
export * as Config from "./Config.js"
export * as Jobs from "./Jobs.js"
export * as Worker from "./Worker.js"
