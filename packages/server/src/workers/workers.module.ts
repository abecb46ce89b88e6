import { Module } from "@nestjs/common"

/** Workers and queues: presence, capabilities, configured queues. */
@Module({})
export class WorkersModule {}
