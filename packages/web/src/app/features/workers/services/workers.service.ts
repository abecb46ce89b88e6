import { Injectable, inject } from "@angular/core"
import { API } from "../../../core/api"
import type { Queue, WorkerSummary } from "../../../core/models"

/** Queues, their locations, and the workers on them. */
@Injectable({ providedIn: "root" })
export class WorkersService {
  private readonly api = inject(API)

  /** The configured queues with their workers online. */
  queues(signal?: AbortSignal): Promise<ReadonlyArray<Queue>> {
    return this.api.queues(signal)
  }

  /** Every worker the server knows, with presence and capabilities. */
  workers(signal?: AbortSignal): Promise<ReadonlyArray<WorkerSummary>> {
    return this.api.workers(signal)
  }
}

export {
  locationGroups,
  locationMarkers,
  presenceColour,
  presenceText,
  withWorkers,
} from "../lib/locations"
export type { LocationGroup } from "../lib/locations"
