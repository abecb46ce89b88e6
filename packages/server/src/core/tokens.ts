/** The injection token of the server's `ServerConfig`. */
export const SERVER_CONFIG = "NETWARK_SERVER_CONFIG"
