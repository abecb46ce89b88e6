import { Module } from "@nestjs/common"
import { OperationsController } from "./operations.controller.js"
import { OperationsService } from "./operations.service.js"

/** Operations: create, list, show, and live events. */
@Module({ controllers: [OperationsController], providers: [OperationsService] })
export class OperationsModule {}
