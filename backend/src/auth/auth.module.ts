import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AppConfig } from '../config/app-config';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { TokensService } from './tokens.service';

@Module({
  controllers: [AuthController],
  providers: [
    AuthService,
    { provide: TokensService, inject: [AppConfig], useFactory: (c: AppConfig) => new TokensService(c.get('jwtSecret') ?? '') },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AuthService, TokensService],
})
export class AuthModule {}
