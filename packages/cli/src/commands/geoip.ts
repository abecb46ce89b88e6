import type { Command } from "../internal/command.js"

/** `netwark geoip`: placeholder until the geoip tool lands. */
export const geoip: Command = {
  name: "geoip",
  summary: "(not built yet)",
  usage: "netwark geoip: not built yet",
  run: async (_argv, io) => {
    io.stderr("netwark geoip: not built yet\n")
    return 1
  },
}
