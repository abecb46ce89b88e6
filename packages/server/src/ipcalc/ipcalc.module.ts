import { Module } from "@nestjs/common"
import { IpCalcController } from "./ipcalc.controller.js"
import { IpCalcService } from "./ipcalc.service.js"

/** The subnet calculator routes (`/ip-calc`). */
@Module({ controllers: [IpCalcController], providers: [IpCalcService] })
export class IpCalcModule {}
