/**
 * `@netwark/tools`: network diagnostics as a library. Each module is a namespace, so call sites
 * read `IpCalc.parse("10.0.0.0/8")`. Nothing here does I/O at import time.
 *
 * @module
 */
export * as ToolError from "./ToolError.js"
export * as IpCalc from "./IpCalc.js"
export * as Oui from "./Oui.js"
export * as Whois from "./Whois.js"
export * as Rdap from "./Rdap.js"
export * as GeoIp from "./GeoIp.js"
export * as Target from "./Target.js"
export * as Ping from "./Ping.js"
export * as Mtr from "./Mtr.js"
export * as Traceroute from "./Traceroute.js"
export * as Dns from "./Dns.js"
export * as Capabilities from "./Capabilities.js"
