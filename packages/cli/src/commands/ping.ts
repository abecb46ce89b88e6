import type { Command } from "../internal/command.js"

/** `netwark ping`: placeholder until the ping tool lands. */
export const ping: Command = {
  name: "ping",
  summary: "(not built yet)",
  usage: "netwark ping: not built yet",
  run: async (_argv, io) => {
    io.stderr("netwark ping: not built yet\n")
    return 1
  },
}
