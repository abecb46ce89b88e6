/**
 * The Netwark reference server as a library (tests, the embedded entry, benches).
 *
 * @module
 */
export { apiPrefix, createApp, type CreateOptions, type Server } from "./app.js"
export { ConfigError, fromEnv, type ServerConfig } from "./config.js"
export { migrate } from "./db/database.js"
