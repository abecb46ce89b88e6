import type { Command } from "../internal/command.js"

/** `netwark oui`: placeholder until the oui tool lands. */
export const oui: Command = {
  name: "oui",
  summary: "(not built yet)",
  usage: "netwark oui: not built yet",
  run: async (_argv, io) => {
    io.stderr("netwark oui: not built yet\n")
    return 1
  },
}
