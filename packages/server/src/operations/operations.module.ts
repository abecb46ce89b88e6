import { Module } from "@nestjs/common"

/** Operations: create, list, show, and live events. */
@Module({})
export class OperationsModule {}
