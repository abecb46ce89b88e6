import type { Command } from "../internal/command.js"

/** `netwark dns`: placeholder until the dns tool lands. */
export const dns: Command = {
  name: "dns",
  summary: "(not built yet)",
  usage: "netwark dns: not built yet",
  run: async (_argv, io) => {
    io.stderr("netwark dns: not built yet\n")
    return 1
  },
}
