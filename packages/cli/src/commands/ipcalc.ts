import type { Command } from "../internal/command.js"

/** `netwark ipcalc`: placeholder until the ipcalc tool lands. */
export const ipcalc: Command = {
  name: "ipcalc",
  summary: "(not built yet)",
  usage: "netwark ipcalc: not built yet",
  run: async (_argv, io) => {
    io.stderr("netwark ipcalc: not built yet\n")
    return 1
  },
}
