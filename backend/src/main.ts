import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { API } from '@engage/protocol';
import { AppModule } from './app.module';
import { AuthService } from './auth/auth.service';
import { MessageWriter } from './chat/message-writer';
import { configureLogging, createLogger, PinoNestLogger } from './common/logger';
import { AppConfig, readConfigFromEnvironment } from './config/app-config';
import { resolveJwtSecret } from './config/jwt-secret';
import { Database } from './database/database';
import { startDemoSite } from './demo-site/demo-site';
import { InactivitySweeper } from './engagements/inactivity-sweeper';
import { EngageIoAdapter } from './realtime/socket-io.adapter';
import { RealtimeGateway } from './realtime/realtime.gateway';
import path from 'node:path';
import { snippetFileHandler, spaHandlers } from './static/static-files';

type Step = { name: string; stop: () => Promise<void> };

/** Starts in dependency order, pushing a stop step for each part started (run in reverse). */
async function start(steps: Step[]): Promise<void> {
  const raw = readConfigFromEnvironment();
  configureLogging(raw.logLevel);
  const log = createLogger('main');
  const config = new AppConfig({ ...raw, jwtSecret: await resolveJwtSecret(raw.jwtSecret, raw.dataDir) });
  log.info({ config: config.describe() }, 'configuration loaded');

  const db = await Database.create({ databaseUrl: config.get('databaseUrl'), dataDir: config.get('dataDir'), pgPort: config.get('pgPort'), log: createLogger('database') });
  steps.push({ name: 'database', stop: () => db.close() });

  const app = await NestFactory.create<NestExpressApplication>(AppModule.create(config, db), { logger: new PinoNestLogger(), abortOnError: false });
  steps.push({ name: 'http', stop: () => app.close() });
  app.useWebSocketAdapter(new EngageIoAdapter(app));
  app.enableCors({ origin: config.get('allowedOrigins'), methods: ['GET', 'POST'], allowedHeaders: ['Content-Type', 'Authorization'], maxAge: 600 });
  app.disable('x-powered-by');
  app.use(API.widgetScript, snippetFileHandler(config.get('widgetFile')));
  app.use(API.recorderScript, snippetFileHandler(path.join(path.dirname(config.get('widgetFile')), 'recorder.js')));
  app.use(...spaHandlers(config.get('staticDir')));
  const doc = SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('Engage orchestrator').setVersion('0.1.0').addBearerAuth().build());
  SwaggerModule.setup(API.docs, app, doc);
  app.enableShutdownHooks([]);

  if (config.get('seedDemo')) await app.get(AuthService).seedDemoAccounts();

  await app.listen(config.get('port'), config.get('host'));
  const writer = app.get(MessageWriter);
  steps.push({ name: 'chat writer', stop: () => writer.close() });
  steps.push({ name: 'sockets', stop: async () => app.get(RealtimeGateway).disconnectAll() });
  steps.push({ name: 'inactivity sweeper', stop: () => app.get(InactivitySweeper).close() });
  const url = config.get('publicUrl');
  log.info({ url, host: config.get('host'), port: config.get('port') }, 'listening');

  let demoSiteUrl: string | null = null;
  if (config.get('demoSitePort') > 0) {
    const demo = await startDemoSite({ port: config.get('demoSitePort'), host: config.get('host'), platformUrl: url });
    // Shown with the public URL's host name, which the default allowed origins cover too.
    const shown = new URL(demo.url);
    shown.hostname = new URL(url).hostname;
    demoSiteUrl = shown.origin;
    steps.push({ name: 'demo site', stop: () => demo.close() });
    log.info({ demoSiteUrl }, 'demo site listening');
  }
  process.stdout.write(`READY ${JSON.stringify({ url, demoSiteUrl })}\n`);
}

async function stop(steps: Step[], signal: string): Promise<void> {
  const log = createLogger('main');
  log.info({ signal }, 'shutting down');
  for (const step of [...steps].reverse()) {
    try {
      await step.stop();
      log.info({ step: step.name }, 'stopped');
    } catch (err) {
      log.error({ err, step: step.name }, 'stop step failed');
    }
  }
}

async function main(): Promise<void> {
  const steps: Step[] = [];
  let stopping: Promise<void> | undefined;
  const onSignal = (signal: string) => {
    stopping ??= stop(steps, signal).then(() => process.exit(0));
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  try {
    await start(steps);
  } catch (err) {
    createLogger('main').fatal({ err }, 'start failed');
    await stop(steps, 'start failure');
    process.exit(1);
  }
}

void main();
