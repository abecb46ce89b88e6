import { Module } from "@nestjs/common"
import { WorkersController } from "./workers.controller.js"
import { WorkersService } from "./workers.service.js"

/** Workers and queues: presence, capabilities, configured queues. */
@Module({ controllers: [WorkersController], providers: [WorkersService] })
export class WorkersModule {}
