import { createHmac, randomBytes } from 'node:crypto';
import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { AppConfig } from '../config/app-config';
import { EngagementsModule } from '../engagements/engagements.module';
import { DocumentBus } from './document-bus';
import { DocumentRoomService } from './document-room.service';
import { DocumentsController } from './documents.controller';
import { DocumentsService } from './documents.service';
import { DocumentRetentionSweeper } from './retention-sweeper';
import { DocRoomState } from './room-state';
import { LocalDiskStorage } from './storage';
import { DOCUMENT_STORAGE } from './storage.token';
import { UrlSigner } from './url-signer';

/** The key of content URLs: DOC_URL_SECRET, else derived from the JWT secret (stable across restarts). */
export function urlSecretOf(config: AppConfig): string {
  const own = config.get('documents').urlSecret;
  if (own) return own;
  const jwt = config.get('jwtSecret');
  return jwt ? createHmac('sha256', jwt).update('engage document urls').digest('hex') : randomBytes(32).toString('hex');
}

@Module({
  imports: [AuthModule, EngagementsModule],
  controllers: [DocumentsController],
  providers: [
    DocumentsService,
    DocumentRoomService,
    DocumentBus,
    DocRoomState,
    DocumentRetentionSweeper,
    { provide: DOCUMENT_STORAGE, inject: [AppConfig], useFactory: (c: AppConfig) => new LocalDiskStorage(c.get('documents').storageDir) },
    { provide: UrlSigner, inject: [AppConfig], useFactory: (c: AppConfig) => new UrlSigner(urlSecretOf(c), c.get('documents').urlTtlS) },
  ],
  exports: [DocumentsService, DocumentRoomService, DocumentBus, DocumentRetentionSweeper],
})
export class DocumentsModule {}
