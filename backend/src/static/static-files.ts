import { API } from '@engage/protocol';
import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Paths that belong to the API and never fall back to the single-page app. */
const NOT_SPA = ['/api', '/socket.io', API.health, API.metrics, API.widgetScript, API.recorderScript];

function isSpaPath(p: string): boolean {
  return !NOT_SPA.some((prefix) => p === prefix || p.startsWith(`${prefix}/`));
}

/** GET /widget.js and /recorder.js: the embeddable snippet's bundles, loadable from any site, never cached stale. */
export function snippetFileHandler(widgetFile: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cache-Control', 'no-cache');
    if (!existsSync(widgetFile)) {
      res.status(503).type('text/plain').send(`The widget is not built yet (${path.basename(widgetFile)} is missing); build the snippet and reload.\n`);
      return;
    }
    res.type('application/javascript').sendFile(widgetFile, (err) => err && next(err));
  };
}

/** The agent desk build at `/`, with index.html for client-side routes such as /join/123456. */
export function spaHandlers(staticDir: string) {
  const files = express.static(staticDir, { index: false, fallthrough: true, maxAge: '1h' });
  const index = path.join(staticDir, 'index.html');
  return [
    (req: Request, res: Response, next: NextFunction) => (isSpaPath(req.path) ? files(req, res, next) : next()),
    (req: Request, res: Response, next: NextFunction): void => {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || !isSpaPath(req.path)) return next();
      if (!existsSync(index)) {
        res.status(503).type('text/plain').send(`The agent desk is not built yet (${index} is missing); build the frontend and reload.\n`);
        return;
      }
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(index, (err) => err && next(err));
    },
  ];
}
