import type { Command } from "../internal/command.js"
import { dns } from "./dns.js"
import { geoip } from "./geoip.js"
import { ipcalc } from "./ipcalc.js"
import { mtr } from "./mtr.js"
import { oui } from "./oui.js"
import { ping } from "./ping.js"
import { traceroute } from "./traceroute.js"
import { whois } from "./whois.js"

/** Every sub-command, in the order `netwark --help` lists them. */
export const commands: ReadonlyArray<Command> = [
  ipcalc,
  oui,
  whois,
  geoip,
  ping,
  mtr,
  traceroute,
  dns,
]
