import type { Command } from "../internal/command.js"

/** `netwark traceroute`: placeholder until the traceroute tool lands. */
export const traceroute: Command = {
  name: "traceroute",
  summary: "(not built yet)",
  usage: "netwark traceroute: not built yet",
  run: async (_argv, io) => {
    io.stderr("netwark traceroute: not built yet\n")
    return 1
  },
}
