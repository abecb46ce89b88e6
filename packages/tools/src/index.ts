/**
 * `@netwark/tools`: network diagnostics as a library. Each module is a namespace, so call sites
 * read `IpCalc.parse("10.0.0.0/8")`. Nothing here does I/O at import time.
 *
 * @module
 */
export * as ToolError from "./ToolError.js"
