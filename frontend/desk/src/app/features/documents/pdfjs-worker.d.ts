// The worker build of pdfjs-dist has no typings: it is only imported for its side effect.
declare module 'pdfjs-dist/build/pdf.worker.min.mjs';
